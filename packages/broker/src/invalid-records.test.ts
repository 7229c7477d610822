import { describe, expect, it } from 'vitest';
import { invalidDetailTopic, publisherLevel, redactedExcerpt } from './invalid-records.js';

const SECRET = 'hunter2-db-root-pw';

describe('redactedExcerpt', () => {
  it('keeps the raw bytes, capped, when nothing in them is marked secret', () => {
    expect(redactedExcerpt(Buffer.from('{"a": 1,   "b": "x"}'), 1024)).toEqual({
      excerpt: '{"a": 1,   "b": "x"}',
    });
    expect(redactedExcerpt(Buffer.from('x'.repeat(100)), 16)).toEqual({ excerpt: 'x'.repeat(16) });
    expect(redactedExcerpt(Buffer.from('{"a":1}'), 0)).toEqual({ excerpt: '' });
  });

  it('redacts marked objects before capping, and says so', () => {
    const payload = Buffer.from(
      JSON.stringify({ data: { ansible_result: { _ansible_no_log: true, password: SECRET } } }),
    );
    const result = redactedExcerpt(payload, 1024);
    expect(result.redacted).toBe(true);
    expect(result.excerpt).toContain('"_ansible_no_log":true');
    expect(result.excerpt).not.toContain(SECRET);
    // The parsed value, when the caller has it, is used instead of parsing again.
    expect(redactedExcerpt(payload, 1024, JSON.parse(payload.toString()))).toEqual(result);
  });

  it('withholds the excerpt of a payload that is not JSON but mentions a marker', () => {
    const broken = Buffer.from(`{"ansible_result": {"_ansible_no_log": true, "password": "${SECRET}"`);
    expect(redactedExcerpt(broken, 1024)).toEqual({ redacted: true });
  });
});

describe('detail topics', () => {
  it('name the publisher in one level; `-` is anonymous and no account can take it', () => {
    expect(invalidDetailTopic('gerrit', 'gerrit')).toBe('$firehose/invalid-detail/gerrit/gerrit');
    expect(invalidDetailTopic('gerrit', undefined)).toBe('$firehose/invalid-detail/gerrit/-');
    expect(publisherLevel('-')).toBe('%2D');
    expect(publisherLevel('a/b+#')).toBe('a%2Fb%2B%23');
  });
});
