import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from './closest-name.js';

describe('closestName', () => {
  it('finds a likely typo and nothing for an unrelated word', () => {
    expect(closestName('tial', ['tail', 'pub', 'topics'])).toBe('tail');
    expect(closestName('Pbu', ['tail', 'pub'])).toBe('pub');
    expect(closestName('frobnicate', ['tail', 'pub', 'topics'])).toBeUndefined();
  });

  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
