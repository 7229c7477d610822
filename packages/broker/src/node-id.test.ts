import { describe, expect, it } from 'vitest';
import { newNodeId } from './node-id.js';

describe('newNodeId', () => {
  it('sorts in start-time order, also where the time gains a digit, and is unique', () => {
    const times = [35, 36, 1_700_000_000_000, 1_795_630_365_592, 36 ** 9 - 1];
    const ids = times.map((t) => newNodeId(t));
    expect([...ids].sort()).toEqual(ids);
    expect(newNodeId(36)).not.toBe(newNodeId(36));
    // It becomes a topic level ($SYS/<id>/…): no separators or wildcards.
    expect(ids.every((id) => /^[0-9a-z-]+$/.test(id))).toBe(true);
  });
});
