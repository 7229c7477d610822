import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCatalogue,
  exportAsyncApi,
  services as builtinServices,
  type EventType,
  type ServiceDefinition,
} from '@firehose/schema';
import { loadCatalogueFiles } from '@firehose/schema/files';
import { CatalogueError } from '@firehose/schema/site';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// AsyncAPI 3.0 with x-firehose-* extensions is a catalogue file too (#18): what
// `firehose schema export` writes loads back as the same event types.

const SITE = `firehose-catalogue: 1
services:
  ci:
    description: Our CI
    source: https://ci.example.org
    ingest: { auth: bearer, secretEnv: CI_TOKEN, eventFrom: { pointer: /kind } }
    events:
      build:
        - description: A build finished
          topic: ci/{project+}/build
          match: build
          params: { project: project }
          identity: [project, number]
          keys: { project: project, build: number }
          subject: "{project}/build/{number}"
          render: { summary: "build {number} of {project}", sentence: "{project} built #{number}" }
          schema:
            type: object
            required: [project, number]
            properties: { project: { type: string }, number: { type: integer } }
        - version: 2
          description: A build finished (numbers as text)
          topic: ci/{project+}/build
          params: { project: project }
          schema:
            type: object
            required: [project, number]
            properties: { project: { type: string }, number: { type: string } }
`;

/** The parts of an exported document the bad-input cases spoil. */
interface AsyncApi {
  asyncapi: string;
  'x-firehose-services'?: unknown;
  channels: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'firehose-asyncapi-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What an event type declares, as plain JSON (TypeBox's symbols and compiled functions left out). */
function declared(eventType: EventType): unknown {
  const {
    title: _t,
    description: _d,
    deprecated: _x,
    'x-firehose-topic': _topic,
    ...schema
  } = JSON.parse(JSON.stringify(eventType.schema)) as Record<string, unknown>;
  return JSON.parse(
    JSON.stringify({
      type: eventType.type,
      version: eventType.version,
      description: eventType.description,
      deprecated: eventType.deprecated,
      topic: eventType.template.pattern,
      params: eventType.paramSources,
      identity: eventType.identityPaths,
      keys: eventType.keys,
      subject: eventType.subjectTemplate,
      render: eventType.rendering,
      dataType: eventType.dataType,
      secretMarkers: eventType.secretMarkers,
      schema,
    }),
  );
}

describe('AsyncAPI 3.0 as a catalogue file', () => {
  it('export → load gives the same event types, built-in and site', async () => {
    const siteFile = join(dir, 'site.yaml');
    await writeFile(siteFile, SITE);
    const site: ServiceDefinition[] = await loadCatalogueFiles([siteFile], { alongside: builtinServices });
    const all = [...builtinServices, ...site];
    const exported = join(dir, 'exported.json');
    await writeFile(exported, JSON.stringify(exportAsyncApi({ catalogue: createCatalogue(all) }), null, 2));
    const loaded: ServiceDefinition[] = await loadCatalogueFiles([exported]);
    expect(loaded.map((s) => s.name)).toEqual(all.map((s) => s.name));
    expect(loaded.flatMap((s) => s.eventTypes).map(declared)).toEqual(
      all.flatMap((s) => s.eventTypes).map(declared),
    );
    const ci = loaded.find((s) => s.name === 'ci')!;
    expect(ci.source).toBe('https://ci.example.org');
    expect(ci.ingest).toEqual(site[0]!.ingest);
    // The loaded types validate as the originals do.
    const again = createCatalogue(loaded);
    const build = (number: unknown) => ({
      specversion: '1.0',
      id: `b-${String(number)}`,
      source: 'https://ci.example.org',
      type: 'ci.build',
      time: '2026-01-01T00:00:00Z',
      datacontenttype: 'application/json',
      dataschema: 'urn:firehose:schema:ci.build:1',
      data: { project: 'acme/app', number },
    });
    expect(again.checkEvent('ci/acme/app/build', build(7) as never).status).toBe('valid');
    expect(again.checkEvent('ci/acme/app/build', build('7') as never).status).toBe('invalid');
  });

  it("export → load keeps a site schema of $ref'd sibling files, its refs resolving inside the document", async () => {
    const sub = await mkdtemp(join(dir, 'refs-'));
    await writeFile(
      join(sub, 'site.yaml'),
      SITE.replace(
        /schema:\n {12}type: object\n {12}required: \[project, number\]\n {12}properties: \{ project: \{ type: string \}, number: \{ type: integer \} \}/,
        'schema: { $ref: ./build.schema.json }',
      ),
    );
    await writeFile(
      join(sub, 'build.schema.json'),
      JSON.stringify({
        type: 'object',
        required: ['project', 'number'],
        properties: { project: { $ref: './common.schema.json#/$defs/project' }, number: { type: 'integer' } },
      }),
    );
    await writeFile(
      join(sub, 'common.schema.json'),
      JSON.stringify({ $defs: { project: { type: 'string', pattern: '^[a-z]+/[a-z]+$' } } }),
    );
    const site = await loadCatalogueFiles([join(sub, 'site.yaml')]);
    const v1 = site[0]!.eventTypes.find((t) => t.version === 1)!;
    expect(JSON.stringify(v1.schema)).toContain('"$ref":"#/$defs/');
    const document = exportAsyncApi({ catalogue: createCatalogue(site) }) as AsyncApi;
    // Every ref of an exported schema points inside it, from the document's root (it has no $id).
    for (const [id, schema] of Object.entries(document.components.schemas)) {
      for (const ref of JSON.stringify(schema).match(/"\$ref":"[^"]*"/g) ?? [])
        expect(ref).toMatch(new RegExp(`^"\\$ref":"#/components/schemas/${id}/`));
    }
    const exported = join(sub, 'asyncapi.json');
    await writeFile(exported, JSON.stringify(document, null, 2));
    const loaded = await loadCatalogueFiles([exported]);
    expect(loaded.flatMap((s) => s.eventTypes).map(declared)).toEqual(
      site.flatMap((s) => s.eventTypes).map(declared),
    );
    const again = createCatalogue(loaded);
    const build = (project: string) => ({
      specversion: '1.0',
      id: `b-${project}`,
      source: 'https://ci.example.org',
      type: 'ci.build',
      time: '2026-01-01T00:00:00Z',
      datacontenttype: 'application/json',
      dataschema: 'urn:firehose:schema:ci.build:1',
      data: { project, number: 7 },
    });
    expect(again.checkEvent('ci/acme/app/build', build('acme/app') as never).status).toBe('valid');
    // The $ref'd pattern still applies after the round trip.
    expect(again.checkEvent('ci/acme/app/build', build('Acme App') as never)).toMatchObject({
      status: 'invalid',
      error: { path: '/data/project' },
    });
  });

  it('refuses bad AsyncAPI input with file:line: field: reason', async () => {
    const document = exportAsyncApi({
      catalogue: createCatalogue(await loadCatalogueFiles([await siteFile()])),
    }) as AsyncApi;
    const cases: [string, (d: AsyncApi) => void, RegExp][] = [
      [
        'version.json',
        (d) => (d.asyncapi = '2.6.0'),
        /version\.json:2: asyncapi: must be an AsyncAPI 3\.x version/,
      ],
      [
        'services.json',
        (d) => delete d['x-firehose-services'],
        /services\.json:\d+: x-firehose-services: is missing/,
      ],
      [
        'channel.json',
        (d) => delete d.channels.ci_build_v1!['x-firehose-event'],
        /channel\.json:\d+: channels\.ci_build_v1: has no firehose topic/,
      ],
      [
        'schema.json',
        (d) => (d.components.schemas.ci_build_v2!.type = 'objekt'),
        /schema\.json:\d+: services\.ci\.events\.build\[1\]\.schema\.type: is not a valid JSON Schema/,
      ],
    ];
    for (const [name, spoil, expected] of cases) {
      const copy = structuredClone(document);
      spoil(copy);
      const file = join(dir, name);
      await writeFile(file, JSON.stringify(copy, null, 2));
      const error = await loadCatalogueFiles([file]).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(CatalogueError);
      expect((error as CatalogueError).message).toMatch(expected);
    }
  });
});

async function siteFile(): Promise<string> {
  const file = join(dir, 'site-only.yaml');
  await writeFile(file, SITE);
  return file;
}
