import { describe, expect, it } from 'vitest';
import { FirehoseError, isFirehoseError, valueKind } from './errors.js';

describe('FirehoseError', () => {
  it('carries a code, a path and an ES2022 cause', () => {
    const cause = new SyntaxError('Unexpected token');
    const error = new FirehoseError('INVALID_ENVELOPE', 'The payload is not JSON.', { cause, path: '/' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FirehoseError');
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.path).toBe('/');
    expect(error.cause).toBe(cause);
    expect(isFirehoseError(error, 'INVALID_ENVELOPE')).toBe(true);
    expect(isFirehoseError(error, 'TIMEOUT')).toBe(false);
    expect(isFirehoseError(new Error('x'))).toBe(false);
  });

  it('has a redacted message: the message itself unless one without input values is given', () => {
    expect(new FirehoseError('INVALID_TOPIC', 'Bad topic.').redactedMessage).toBe('Bad topic.');
    const error = new FirehoseError('INVALID_PAYLOAD', 'got the string "hunter2".', {
      redactedMessage: 'got a string.',
    });
    expect(error.message).toBe('got the string "hunter2".');
    expect(error.redactedMessage).toBe('got a string.');
  });

  it('names the kind of a value without quoting it', () => {
    expect([null, [], 'pw', 42, true, {}, undefined].map(valueKind)).toEqual([
      'null',
      'an array',
      'a string',
      'a number',
      'a boolean',
      'an object',
      'undefined',
    ]);
  });
});
