import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestBroker, freePort, temporaryDirectory } from '@firehose/test-support';
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const dir = temporaryDirectory('schema-check');

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A one-event catalogue; `data` is the body of the build's `data` schema. */
const ci = (data: string, version = 1): string => `firehose-catalogue: 1
services:
  ci:
    description: Our CI
    source: https://ci.example.org
    events:
      build:
        version: ${version}
        description: A build finished
        topic: ci/{job}/build
        params: { job: job }
        identity: [job, number]
        schema:
          type: object
          required: [job, number]
          properties:
${data}
`;
const NUMBER_INT = '            job: { type: string }\n            number: { type: integer }';
const NUMBER_STRING = '            job: { type: string }\n            number: { type: string }';

// The tests run concurrently and several start three or more CLI processes one after another (a Node start
// each, seconds apiece on a loaded machine): the default 20 s was not always enough.
describe.concurrent('firehose schema check', { timeout: 60_000 }, () => {
  it('passes good files with a summary, exit 0', async () => {
    const good = file('good.yaml', ci(NUMBER_INT));
    const result = await run(['schema', 'check', good]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ok: 1 file, 1 service, 1 event type\n');
  });

  it('names file, line and field of every problem, exit 1', async () => {
    const bad = file('bad.yaml', ci(NUMBER_INT).replace('type: object', 'type: objekt'));
    const result = await run(['schema', 'check', bad]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /bad\.yaml:14: services\.ci\.events\.build\.schema\.type: is not a valid JSON Schema/,
    );
  });

  it('refuses a topic that overlaps a built-in service, unless --site-only', async () => {
    const overlap = file('overlap.yaml', ci(NUMBER_INT).replaceAll('ci', 'gerrit'));
    const beside = await run(['schema', 'check', overlap]);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toMatch(/overlap\.yaml:\d+: services\.gerrit/);
    const alone = await run(['schema', 'check', '--site-only', overlap]);
    expect(alone.stderr).toBe('');
    expect(alone.code).toBe(0);
  });

  it('with --against, refuses a breaking change within a running major and accepts it as a new major', async () => {
    const running = file('running.yaml', ci(NUMBER_INT));
    const breaking = file('breaking.yaml', ci(NUMBER_STRING));
    const refused = await run(['schema', 'check', breaking, '--against', running]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/breaking\.yaml:\d+: services\.ci\.events\.build/);
    const major = file('major.yaml', ci(NUMBER_STRING, 2));
    const accepted = await run(['schema', 'check', major, '--against', running]);
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toBe('ok: 1 file, 1 service, 1 event type, no breaking change against 1 file\n');
  });

  it('with --against <broker url>, checks against the catalogue the broker runs ($firehose/services)', async () => {
    const broker = await startTestBroker({
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, ws: { host: '127.0.0.1', port: 0 } },
      catalogue: { files: [file('deployed.yaml', ci(NUMBER_INT))] },
    });
    try {
      const breaking = file('breaking-live.yaml', ci(NUMBER_STRING));
      for (const url of [broker.url('mqtt')!, broker.url('ws')!]) {
        const refused = await run(['schema', 'check', breaking, '--against', url]);
        expect(refused.code, refused.stderr).toBe(1);
        expect(refused.stderr).toMatch(
          /breaking-live\.yaml:\d+: services\.ci\.events\.build\.schema: breaks consumers of ci\.build v1, which is running/,
        );
      }
      const accepted = await run([
        'schema',
        'check',
        file('major-live.yaml', ci(NUMBER_STRING, 2)),
        '--against',
        broker.url('mqtt')!,
      ]);
      expect(accepted.stderr).toBe('');
      expect(accepted.code).toBe(0);
      expect(accepted.stdout).toBe(
        `ok: 1 file, 1 service, 1 event type, no breaking change against the broker at ${broker.url('mqtt')!}\n`,
      );
    } finally {
      await broker.close();
    }
  });

  it('with --against, an unreachable broker exits 1 naming it; a URL of another scheme is a usage error', async () => {
    const good = file('good-unreachable.yaml', ci(NUMBER_INT));
    const url = `mqtt://127.0.0.1:${await freePort()}`; // nothing listens there
    const unreachable = await run(['schema', 'check', good, '--against', url]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`Could not connect to ${url}`);
    const http = await run(['schema', 'check', good, '--against', 'http://127.0.0.1:9/']);
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/--against 'http:\/\/127\.0\.0\.1:9\/' has scheme 'http:'; use mqtt:\/\//);
  });

  it('checks the AsyncAPI document schema export writes, and names the line of a bad one', async () => {
    const out = join(dir, 'export');
    const exported = await run(['schema', 'export', '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    const asyncapi = join(out, 'asyncapi.json');
    const good = await run(['schema', 'check', '--site-only', asyncapi]);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ok: 1 file, \d+ services, \d+ event types\n$/);
    const bad = file(
      'asyncapi-2.json',
      readFileSync(asyncapi, 'utf8').replace('"asyncapi": "3.0.0"', '"asyncapi": "2.6.0"'),
    );
    const refused = await run(['schema', 'check', '--site-only', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/asyncapi-2\.json:2: asyncapi: must be an AsyncAPI 3\.x version/);
  });

  it('schema export of catalogue files writes their AsyncAPI document, which checks (and loads) as the same services', async () => {
    const site = file('export-site.yaml', ci(NUMBER_INT));
    const out = join(dir, 'export-site');
    const exported = await run(['schema', 'export', '--out', out, '--site-only', site]);
    expect(exported.code, exported.stderr).toBe(0);
    const asyncapi = join(out, 'asyncapi.json');
    const document = JSON.parse(readFileSync(asyncapi, 'utf8')) as {
      channels: Record<string, { 'x-firehose-event': { service: string } }>;
    };
    expect(Object.values(document.channels).map((channel) => channel['x-firehose-event'].service)).toEqual([
      'ci',
    ]);
    expect(readFileSync(join(out, 'ci.build.v1.json'), 'utf8')).toContain('urn:firehose:schema:ci.build:1');
    const checked = await run(['schema', 'check', '--site-only', asyncapi]);
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toBe('ok: 1 file, 1 service, 1 event type\n');
    // A refused file exports nothing; --site-only needs files.
    const refused = await run([
      'schema',
      'export',
      '--out',
      join(dir, 'export-bad'),
      file('bad.yaml', ': :'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad\.yaml:1: /);
    const alone = await run(['schema', 'export', '--out', out, '--site-only']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--site-only exports catalogue files alone/);
  });

  it('a missing file is a problem, no file or an unknown flag a usage error', async () => {
    const missing = await run(['schema', 'check', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.yaml/);
    const none = await run(['schema', 'check']);
    expect(none.code).toBe(2);
    const unknown = await run(['schema', 'check', '--strict', join(dir, 'nope.yaml')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--strict/);
  });
});
