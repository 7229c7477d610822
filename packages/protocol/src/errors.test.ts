import { describe, expect, it } from 'vitest';
import { FirehoseError, isFirehoseError } from './errors.js';

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
});
