import { describe, expect, it } from 'vitest';
import { responseError, retryAfterSeconds } from './history-errors.js';

const where = 'GET http://127.0.0.1:9090/v1/events';

function apiError(status: number, error: object | undefined, headers: Record<string, string> = {}): Response {
  return new Response(error === undefined ? 'not json' : JSON.stringify({ error }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

describe('responseError', () => {
  it("keeps the broker's sentence for a bad parameter and names the parameter as path", async () => {
    const error = await responseError(
      apiError(400, {
        code: 'BAD_PARAMETER',
        message: 'from must be an ISO 8601 time or a relative time like -2h.',
        parameter: 'from',
      }),
      where,
    );
    expect(error).toMatchObject({
      code: 'INVALID_QUERY',
      path: 'from',
      message: 'from must be an ISO 8601 time or a relative time like -2h.',
    });
  });

  it('maps each contract code to its FirehoseError code with a sentence saying what to do', async () => {
    await expect(
      responseError(apiError(401, { code: 'UNAUTHORIZED', message: 'x' }), where),
    ).resolves.toMatchObject({
      code: 'NOT_AUTHORIZED',
      message: expect.stringMatching(/refused the credentials for GET http:\/\/127.0.0.1:9090\/v1\/events/),
    });
    await expect(
      responseError(apiError(404, { code: 'NOT_FOUND', message: 'No event 42.' }), where),
    ).resolves.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No event 42.',
    });
    await expect(
      responseError(apiError(429, { code: 'TOO_MANY_STREAMS', message: 'x' }, { 'retry-after': '7' }), where),
    ).resolves.toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/retry in 7 s/) });
    await expect(
      responseError(apiError(503, { code: 'HISTORY_OFF', message: 'x' }), where),
    ).resolves.toMatchObject({
      code: 'HISTORY_OFF',
      message: expect.stringMatching(/History is off on this broker/),
    });
  });

  it('says what answered when it is not a firehose history API', async () => {
    await expect(responseError(apiError(404, undefined), where)).resolves.toMatchObject({
      code: 'CONNECTION_FAILED',
      message: expect.stringMatching(/answered 404 without a firehose error: no history API there/),
    });
    await expect(responseError(apiError(502, undefined), where)).resolves.toMatchObject({
      code: 'CONNECTION_FAILED',
      message: expect.stringMatching(/answered HTTP 502; is that the broker's HTTP listener/),
    });
  });
});

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-12-07T10:00:00Z');
    const at = (value: string): number | undefined =>
      retryAfterSeconds(new Response(null, { headers: { 'retry-after': value } }), now);
    expect(at('12')).toBe(12);
    expect(at('Mon, 07 Dec 2026 10:00:30 GMT')).toBe(30);
    expect(at('soon')).toBeUndefined();
  });
});
