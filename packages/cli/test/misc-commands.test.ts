import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyOpenApi } from '@firehose/broker';
import { temporaryDirectory } from '@firehose/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, run, startBroker, startCli, waitForOutput, type TestBroker } from './helpers.js';

let broker: TestBroker;
const scratch = temporaryDirectory('cli-misc');

beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker.close();
});

describe.concurrent('passwd, schema, $-topics, signals', () => {
  it('passwd hashes a password read from stdin', async () => {
    const result = await run(['passwd'], { input: 'a long enough password\n' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\n$/);
    expect(result.stdout).not.toContain('a long enough password');
  });

  it('schema export writes JSON Schemas, an AsyncAPI document and the history OpenAPI document', async () => {
    const out = join(scratch, 'schemas');
    const result = await run(['schema', 'export', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const files = readdirSync(out);
    expect(files).toContain('asyncapi.json');
    expect(files.some((file) => file.startsWith('gerrit.comment-added'))).toBe(true);
    const asyncapi = JSON.parse(readFileSync(join(out, 'asyncapi.json'), 'utf8')) as { asyncapi: string };
    expect(asyncapi.asyncapi).toMatch(/^3\./);
    // The history API's document, the same one a broker serves at /v1/openapi.json.
    const openapi = JSON.parse(readFileSync(join(out, 'history-openapi.json'), 'utf8')) as unknown;
    expect(openapi).toEqual(historyOpenApi());
    expect(openapi).toMatchObject({ openapi: '3.1.0', paths: { '/v1/stream': expect.any(Object) } });
  });

  it('hides $SYS/$firehose topics unless --sys is given', async () => {
    // The broker retains its catalogue records, so a --sys subscriber gets one at once.
    const shown = await run(['tail', '--url', broker.url, '--sys', '-n', '1', '-o', '{topic}', 'nothing/#']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^\$(SYS|firehose)\//);
    const hidden = await run([
      'tail',
      '--url',
      broker.url,
      '-n',
      '1',
      '--timeout',
      '1500ms',
      '-o',
      '{topic}',
    ]);
    expect(hidden.code).toBe(3);
    expect(hidden.stdout).toBe('');
  });

  it('stops tail cleanly on SIGINT (exit 0)', async () => {
    const child = startCli(['tail', '--url', broker.url, 'nothing/#']);
    const result = finished(child);
    await waitForOutput(child.stderr, /subscribed to/);
    child.kill('SIGINT');
    expect((await result).code).toBe(0);
  });
});
