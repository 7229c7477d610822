import { existsSync, readFileSync } from 'node:fs';
import {
  checkCompatible,
  eventTypes,
  exportJsonSchemas,
  getEventTypeVersions,
  schemaFileName,
} from '@firehose/schema';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';

const base = Type.Object({
  change: Type.Object({
    number: Type.Integer(),
    subject: Type.String(),
    topic: Type.Optional(Type.String()),
  }),
  approvals: Type.Optional(Type.Array(Type.Object({ type: Type.String(), value: Type.String() }))),
  status: Type.Union([Type.Literal('success'), Type.Literal('failed')]),
});

describe('checkCompatible', () => {
  it('accepts the same schema and added optional fields', () => {
    expect(checkCompatible(base, base)).toEqual({ compatible: true, problems: [] });
    const extended = Type.Object({
      ...base.properties,
      change: Type.Object({
        ...base.properties.change.properties,
        hashtags: Type.Optional(Type.Array(Type.String())),
      }),
      comment: Type.Optional(Type.String({ description: 'new' })),
    });
    expect(checkCompatible(base, extended)).toEqual({ compatible: true, problems: [] });
  });

  it.each([
    [
      'removing a field',
      Type.Object({ ...base.properties, approvals: undefined as never }),
      '/approvals: field was removed.',
    ],
    [
      'removing a nested optional field',
      Type.Object({
        ...base.properties,
        change: Type.Object({ number: Type.Integer(), subject: Type.String() }),
      }),
      '/change/topic: field was removed.',
    ],
    [
      'changing a type',
      Type.Object({
        ...base.properties,
        change: Type.Object({ ...base.properties.change.properties, number: Type.String() }),
      }),
      '/change/number: type changed from "integer" to "string".',
    ],
    [
      'adding a required field',
      Type.Object({ ...base.properties, comment: Type.String() }),
      '/comment: required field was added.',
    ],
    [
      'making an optional field required',
      Type.Object({
        ...base.properties,
        approvals: Type.Array(Type.Object({ type: Type.String(), value: Type.String() })),
      }),
      '/approvals: optional field became required.',
    ],
    [
      'changing an array item type',
      Type.Object({ ...base.properties, approvals: Type.Optional(Type.Array(Type.String())) }),
      '/approvals/items: type changed from "object" to "string".',
    ],
    [
      'narrowing a union',
      Type.Object({ ...base.properties, status: Type.Literal('success') }),
      '/status: type changed from any to "string".',
    ],
    [
      'forbidding a shape',
      Type.Object(base.properties, { not: { required: ['secret'] } }),
      '/: forbidden shapes changed.',
    ],
    [
      'closing the schema',
      Type.Object(base.properties, { additionalProperties: false }),
      '/: unknown fields are no longer allowed.',
    ],
  ])('rejects %s', (_, next, problem) => {
    const json = JSON.parse(JSON.stringify(next)) as object;
    const result = checkCompatible(base, json);
    expect(result.compatible).toBe(false);
    expect(result.problems).toContain(problem);
  });

  it('follows local $refs, as a bundled site catalogue schema has them ($defs of its sibling files)', () => {
    // What loadCatalogueFiles makes of `schema: { $ref: ./push.schema.json }`.
    const bundled = (ref: object, repository: object) => ({
      $ref: '#/$defs/push.schema.json',
      $defs: {
        'push.schema.json': {
          type: 'object',
          required: ['ref', 'repository'],
          properties: { ref: ref, repository: { $ref: '#/$defs/common.schema.json/$defs/repository' } },
        },
        'common.schema.json': { $defs: { repository: repository } },
      },
    });
    const repository = { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } };
    const before = bundled({ type: 'string' }, repository);
    expect(checkCompatible(before, before)).toEqual({ compatible: true, problems: [] });
    expect(
      checkCompatible(
        before,
        bundled(
          { type: 'string', description: 'annotated' },
          {
            ...repository,
            properties: { ...repository.properties, name: { type: 'string' } },
          },
        ),
      ),
    ).toEqual({ compatible: true, problems: [] });
    expect(checkCompatible(before, bundled({ type: 'integer' }, repository)).problems).toEqual([
      '/ref: type changed from "string" to "integer".',
    ]);
    expect(
      checkCompatible(
        before,
        bundled({ type: 'string' }, { ...repository, properties: { id: { type: 'string' } } }),
      ).problems,
    ).toEqual(['/repository/id: type changed from "integer" to "string".']);
    // A recursive schema is compared without looping.
    const tree = (leaf: string) => ({
      $ref: '#/$defs/node',
      $defs: {
        node: {
          type: 'object',
          properties: { name: { type: leaf }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
        },
      },
    });
    expect(checkCompatible(tree('string'), tree('string')).compatible).toBe(true);
    expect(checkCompatible(tree('string'), tree('integer')).problems).toEqual([
      '/name: type changed from "string" to "integer".',
    ]);
  });
});

describe('published schemas', () => {
  const published = new URL('../published/', import.meta.url);

  it.each([...exportJsonSchemas()])(
    '%s is a compatible extension of its published snapshot',
    (file, schema) => {
      const snapshot = new URL(file, published);
      expect(
        existsSync(snapshot),
        `${file} has no snapshot; run \`pnpm --filter @firehose/schema publish-schemas\``,
      ).toBe(true);
      const result = checkCompatible(JSON.parse(readFileSync(snapshot, 'utf8')) as object, schema);
      expect(result.problems).toEqual([]);
    },
  );

  it('keeps a newer major for every deprecated event type', () => {
    for (const eventType of eventTypes) {
      expect(schemaFileName(eventType)).toBe(`${eventType.type}.v${eventType.version}.json`);
      if (!eventType.deprecated) continue;
      expect(
        getEventTypeVersions(eventType.type).some((v) => v.version > eventType.version && !v.deprecated),
      ).toBe(true);
    }
  });
});
