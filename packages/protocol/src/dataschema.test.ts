import { describe, expect, it } from 'vitest';
import { dataschemaUrn, parseDataschema } from './dataschema.js';

describe('dataschema URNs', () => {
  it('round-trips type and major', () => {
    const urn = dataschemaUrn('gerrit.comment-added', 1);
    expect(urn).toBe('urn:firehose:schema:gerrit.comment-added:1');
    expect(parseDataschema(urn)).toEqual({ type: 'gerrit.comment-added', major: 1 });
    expect(parseDataschema(dataschemaUrn('zuul.buildset', 12))).toEqual({ type: 'zuul.buildset', major: 12 });
  });

  it.each([
    'https://example.org/schema.json',
    'urn:firehose:schema:gerrit.comment-added',
    'urn:firehose:schema:x:0',
    'urn:firehose:schema::1',
    'urn:firehose:schema:x:v1',
  ])('does not read %j as a firehose schema', (urn) => expect(parseDataschema(urn)).toBeUndefined());
});
