import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '@firehose/broker';
import { freePort, temporaryDirectory } from '@firehose/test-support';
import { describe, expect, it } from 'vitest';
import { finished, gerritData, run, startCli, waitForOutput, type RunResult } from './helpers.js';

const scratch = temporaryDirectory('cli-broker');

describe('firehose broker', () => {
  it('--print-config shows the effective config with secrets masked', async () => {
    const hash = await hashPassword('s3cret-pw');
    const dir = mkdtempSync(join(scratch, 'run-'));
    const file = join(dir, 'firehose.yaml');
    writeFileSync(file, `accounts:\n  gerrit: { password: "${hash}", write: ["gerrit/#"] }\n`);
    const result = await run(['broker', '--config', file, '--port', '1999', '--print-config'], {
      env: { FIREHOSE_LIMITS_MAX_CONNECTIONS: '42' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('gerrit');
    expect(result.stdout).toContain('***');
    expect(result.stdout).not.toContain(hash.split('$').at(-1));
    // Flags and env both reach the effective config.
    expect(result.stdout).toMatch(/port: 1999/);
    expect(result.stdout).toMatch(/maxConnections: 42/);
  });

  it('a bad flag value exits 2; a missing config file exits 1', async () => {
    const [flag, missing] = await Promise.all([
      run(['broker', '--port', 'seventy', '--print-config']),
      run(['broker', '--config', '/nonexistent/firehose.yaml', '--print-config']),
    ]);
    expect(flag.code).toBe(2);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/nonexistent/firehose.yaml');
  });

  it('a refused catalogue file stops the start with exit 1, one file:line: field: reason a line', async () => {
    const dir = mkdtempSync(join(scratch, 'run-'));
    const bad = join(dir, 'ci.yaml');
    writeFileSync(
      bad,
      'firehose-catalogue: 1\nservices:\n  ci:\n    description: CI\n    source: https://ci.example.org\n    events:\n      build: { description: A build, topic: "ci/{job", schema: {} }\n      deploy: { description: A deploy, topic: "ci/{app}/deploy", schema: { type: thing } }\n',
    );
    const printed = await run(['broker', '--catalogue', bad, '--catalogue', 'more.yaml', '--print-config']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain(bad);
    expect(printed.stdout).toContain(join(process.cwd(), 'more.yaml'));
    const result = await run([
      'broker',
      '--port',
      '0',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      '--catalogue',
      bad,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ci\.yaml:7: services\.ci\.events\.build\.topic: /);
    expect(result.stderr).toMatch(/\n {2}\S*ci\.yaml:8: services\.ci\.events\.deploy\.schema\.type: /);
    expect(result.stdout).not.toContain('firehose broker ready');
  });

  it('runs on free ports, logs JSON when not on a terminal, and stops cleanly on SIGTERM', async () => {
    const child = startCli(['broker', '--port', '0', '--ws-port', '0', '--http-port', '0']);
    const result = finished(child, 20_000);
    const line = await waitForOutput(child.stdout, /\{[^\n]*"mqtt":"mqtt:\/\/[^"]+"[^\n]*\}/);
    const ready = JSON.parse(line) as { mqtt: string; ws: string };
    expect(ready.ws).toMatch(/^ws:\/\//);
    const tail = await run(['tail', '--url', ready.mqtt, '--count', '1', '--timeout', '300ms']);
    expect(tail.code).toBe(3);
    child.kill('SIGTERM');
    const exit = await result;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('broker closed');
  });

  it('waits for an unreachable redis, saying so, and stops cleanly on SIGTERM meanwhile', async () => {
    const redisPort = await freePort(); // nothing listens there
    const child = startCli([
      'broker',
      '--port',
      '0',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      '--persistence',
      `redis://127.0.0.1:${redisPort}`,
    ]);
    const result = finished(child, 20_000);
    await waitForOutput(child.stdout, /redis unreachable; retrying \(listeners open once it is reachable\)/);
    child.kill('SIGTERM');
    const exit = await result;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toContain('stopped before listening');
    expect(exit.stdout).not.toContain('firehose broker ready');
  });

  it('reloads accounts on SIGHUP without a restart', async () => {
    const dir = mkdtempSync(join(scratch, 'run-'));
    const file = join(dir, 'firehose.yaml');
    const write = async (password: string): Promise<void> =>
      writeFileSync(
        file,
        `listeners:\n  mqtt: { host: 127.0.0.1, port: 0 }\naccounts:\n  gerrit: { password: "${await hashPassword(password)}", write: ["gerrit/#"] }\n`,
      );
    await write('old-password');
    const child = startCli(['broker', '--config', file]);
    const result = finished(child, 20_000);
    const ready = JSON.parse(
      await waitForOutput(child.stdout, /\{[^\n]*"mqtt":"mqtt:\/\/[^"]+"[^\n]*\}/),
    ) as { mqtt: string };
    const data = JSON.stringify(gerritData('comment-added'));
    const publish = (password: string): Promise<RunResult> =>
      run(['pub', '--url', ready.mqtt, '-u', 'gerrit', 'gerrit/openstack/nova/comment-added', data], {
        env: { FIREHOSE_PASSWORD: password },
      });
    expect((await publish('new-password')).code).toBe(1);
    await write('new-password');
    child.kill('SIGHUP');
    await waitForOutput(child.stdout, /configuration reloaded/);
    const after = await publish('new-password');
    expect(after.code, after.stderr).toBe(0);
    child.kill('SIGTERM');
    expect((await result).code).toBe(0);
  });
});
