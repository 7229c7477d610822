import { readFile } from 'node:fs/promises';
import * as schema from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import { renderTopicsMarkdown } from '../../docs/topics-markdown.mjs';

// docs/topics.md is generated from the schema; a schema change must regenerate it.
describe('docs/topics.md', () => {
  it('matches the schema catalogue (regenerate with: node docs/generate-topics.mjs)', async () => {
    const committed = await readFile(new URL('../../docs/topics.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderTopicsMarkdown(schema));
    for (const service of schema.services) expect(committed).toContain(`## ${service.name}`);
  });
});
