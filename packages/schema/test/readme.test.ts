import { readFileSync } from 'node:fs';
import { eventTypes } from '@firehose/schema';
import { expect, it } from 'vitest';

it('the README catalogue lists every event type with its topic', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const eventType of eventTypes) {
    expect(readme, eventType.type).toContain(`| \`${eventType.template.pattern}\` | \`${eventType.type}\` v${eventType.version} |`);
  }
});
