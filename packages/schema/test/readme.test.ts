import { readFileSync } from 'node:fs';
import { eventTypes } from '@firehose/schema';
import { expect, it } from 'vitest';

it('the README catalogue lists every event type with its topic', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  // Cells compared trimmed, so the table may be padded (prettier aligns markdown tables).
  const rows = readme
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').map((cell) => cell.trim()));
  for (const eventType of eventTypes) {
    const row = rows.find((cells) => cells[2] === `\`${eventType.template.pattern}\``);
    expect(row?.[3], eventType.type).toBe(`\`${eventType.type}\` v${eventType.version}`);
  }
});
