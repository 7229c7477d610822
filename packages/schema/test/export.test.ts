import { Parser } from '@asyncapi/parser';
import { eventTypes, exportAsyncApi, exportJsonSchemas, gerrit } from '@firehose/schema';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { loadFixture } from './fixtures.js';

describe('exportJsonSchemas', () => {
  const schemas = exportJsonSchemas();

  it('has one schema per event type and major, identified by its dataschema URN', () => {
    expect(schemas.size).toBe(eventTypes.length);
    expect(schemas.get('gerrit.comment-added.v1')).toBeUndefined();
    expect(schemas.get('gerrit.comment-added.v1.json')).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: gerrit.commentAdded.dataschema,
      'x-firehose-topic': 'gerrit/{project+}/comment-added',
      type: 'object',
    });
  });

  it('exports plain JSON that still validates the fixtures', () => {
    for (const eventType of eventTypes) {
      const schema = schemas.get(`${eventType.type}.v${eventType.version}.json`)!;
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
      const { $schema: _, $id: __, ...plain } = schema as Record<string, unknown>;
      expect(Compile(plain as never).Check(loadFixture(eventType).data), eventType.type).toBe(true);
    }
  });
});

describe('exportAsyncApi', () => {
  const document = exportAsyncApi() as {
    channels: Record<string, { address: string; parameters?: Record<string, unknown> }>;
    operations: Record<string, { bindings: { mqtt: { qos: number } } }>;
  };

  it('declares every channel with its parameters and an MQTT receive operation', () => {
    expect(Object.keys(document.channels)).toHaveLength(eventTypes.length);
    expect(document.channels['gerrit_comment-added_v1']).toMatchObject({
      address: 'gerrit/{project}/comment-added',
      parameters: { project: { description: expect.stringContaining('several topic levels') as string } },
    });
    expect(document.channels['zuul_report_v1']?.address).toBe(
      'zuul/{tenant}/{pipeline}/{project}/{branch}/{change}',
    );
    expect(document.channels['gerrit_dropped-output_v1']?.parameters).toBeUndefined();
    expect(document.operations['receive_gerrit_comment-added_v1']?.bindings.mqtt.qos).toBe(1);
  });

  it('is a valid AsyncAPI 3.0 document for @asyncapi/parser', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(exportAsyncApi()));
    // Severity 0 is DiagnosticSeverity.Error (compared as a number: parser and types ship separate enum copies).
    const errors = diagnostics.filter((d) => Number(d.severity) === 0);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(parsed?.channels().length).toBe(eventTypes.length);
    expect(parsed?.channels().get('gerrit_comment-added_v1')?.parameters().get('project')).toBeDefined();
  });
});
