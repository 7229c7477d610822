import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, finished, temporaryDirectory, waitFor, waitForOutput } from '@firehose/test-support';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { watchAcme } from '../src/acme-feed.js';
import { github, type argocd } from '../src/firehose/index.js';

// The second site as the proof (docs/architecture.md#site-catalogues): acme's GitHub and Argo CD,
// declared in ../catalogue, run by the real `firehose broker --catalogue` binary (beside the
// built-in OpenStack services), fed the recorded-style webhook bodies of ../fixtures over
// POST /v1/ingest/<service>, and read back typed with the SDK (../src/acme-feed.ts, type-checked
// against the checked-in codegen output) and by `firehose tail --service github`. The README's steps, as a test.

const HERE = fileURLToPath(new URL('..', import.meta.url));
const CLI = createRequire(import.meta.url)
  .resolve('@firehose/cli/package.json')
  .replace(/package\.json$/, 'dist/bin.js');
const CATALOGUE = ['catalogue/github.yaml', 'catalogue/argocd.yaml'];
const GITHUB_SECRET = 'acme-webhook-secret';
const ARGOCD_TOKEN = 'acme-argocd-token';

const fixture = (path: string): string => readFileSync(join(HERE, 'fixtures', path), 'utf8');
const hubSignature = (secret: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const children: ChildProcessWithoutNullStreams[] = [];
const scratch = temporaryDirectory('acme-site');
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

/** The CLI as a user runs it, from the example's directory, with nothing from this shell's env. */
function cli(args: readonly string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: HERE, env: cleanEnv(env), stdio: 'pipe' });
  children.push(child);
  return child;
}

async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('examples/acme-site: a firehose for your own services', () => {
  it('the checked-in typed module is what firehose schema codegen writes for the catalogue now', async () => {
    const out = mkdtempSync(join(scratch, 'codegen-'));
    const result = await finished(cli(['schema', 'codegen', ...CATALOGUE, '--out', out]), 30_000);
    expect(result.code, result.stderr).toBe(0);
    const checkedIn = join(HERE, 'src/firehose');
    expect(readdirSync(out).sort()).toEqual(readdirSync(checkedIn).sort());
    for (const name of readdirSync(out))
      expect(readFileSync(join(out, name), 'utf8'), `src/firehose/${name} is stale: pnpm run codegen`).toBe(
        readFileSync(join(checkedIn, name), 'utf8'),
      );
  });

  it('firehose schema check passes the catalogue, beside the built-in services and alone', async () => {
    const [beside, alone] = await Promise.all([
      finished(cli(['schema', 'check', ...CATALOGUE]), 30_000),
      finished(cli(['schema', 'check', '--site-only', ...CATALOGUE]), 30_000),
    ]);
    expect(beside.code, beside.stderr).toBe(0);
    expect(beside.stdout).toBe('ok: 2 files, 2 services, 4 event types\n');
    expect(alone.code, alone.stderr).toBe(0);
  });

  it('takes the signed webhooks, refuses a wrong signature with nothing published, and reads them back typed with the SDK and with firehose tail', async () => {
    // Step 3 of the README: the broker on the catalogue files, beside the built-in services.
    const broker = cli(
      [
        'broker',
        '--port',
        '0',
        '--ws-port',
        '0',
        '--http-port',
        '0',
        ...CATALOGUE.flatMap((file) => ['--catalogue', file]),
      ],
      { FIREHOSE_GITHUB_SECRET: GITHUB_SECRET, FIREHOSE_ARGOCD_TOKEN: ARGOCD_TOKEN },
    );
    const brokerExit = finished(broker, 120_000);
    const ready = JSON.parse(
      await waitForOutput(broker.stdout, /\{[^\n]*"firehose broker ready"[^\n]*\}/, 30_000),
    ) as {
      mqtt: string;
      http: string;
    };
    const intake = (service: string): string => {
      const url = new URL(`/v1/ingest/${service}`, ready.http);
      url.hostname = '127.0.0.1';
      return url.href;
    };

    // Readers first: the SDK program and the CLI.
    const feed = await watchAcme(ready.mqtt);
    // README step 5: `tail --service github`. The CLI was built with OpenStack's services only; it
    // learns github's topic templates and render rules from the broker's $firehose/services record.
    const tail = cli([
      'tail',
      '--url',
      ready.mqtt,
      '--service',
      'github',
      '--count',
      '3',
      '--color',
      'never',
    ]);
    const tailExit = finished(tail, 30_000);
    const argocdTail = cli([
      'tail',
      '--url',
      ready.mqtt,
      '--service',
      'argocd',
      '-o',
      'ndjson',
      '--count',
      '1',
    ]);
    const argocdExit = finished(argocdTail, 30_000);
    await Promise.all([
      waitForOutput(tail.stderr, /subscribed/i, 30_000),
      waitForOutput(argocdTail.stderr, /subscribed/i, 30_000),
    ]);

    const deliveries = [
      { service: 'github', event: 'push', body: fixture('github/push.json') },
      { service: 'github', event: 'pull_request', body: fixture('github/pull_request.json') },
      { service: 'github', event: 'workflow_run', body: fixture('github/workflow_run.json') },
    ];
    for (const { service, event, body } of deliveries) {
      // GitHub signs with the webhook's secret; a sender without it (or a changed body) is refused.
      const forged = await post(
        intake(service),
        { 'x-github-event': event, 'x-hub-signature-256': hubSignature('not-the-secret', body) },
        body,
      );
      expect(forged.status).toBe(401);
      expect(forged.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      const signed = await post(
        intake(service),
        {
          'x-github-event': event,
          'x-github-delivery': crypto.randomUUID(),
          'x-hub-signature-256': hubSignature(GITHUB_SECRET, body),
        },
        body,
      );
      expect(signed.status, JSON.stringify(signed.body)).toBe(202);
    }
    const sync = fixture('argocd/sync.json');
    expect((await post(intake('argocd'), { authorization: 'Bearer wrong' }, sync)).status).toBe(401);
    const synced = await post(intake('argocd'), { authorization: `Bearer ${ARGOCD_TOKEN}` }, sync);
    expect(synced).toEqual({
      status: 202,
      body: {
        id: expect.any(String) as unknown,
        type: 'argocd.sync',
        topic: 'argocd/widgets-production/sync/Succeeded',
      },
    });
    // A body the catalogue's schema refuses: a 4xx naming the field, nothing published.
    const unsynced = JSON.stringify({ ...(JSON.parse(sync) as object), operation: { phase: 'Running' } });
    const refused = await post(intake('argocd'), { authorization: `Bearer ${ARGOCD_TOKEN}` }, unsynced);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toMatch(/operation/);

    // The SDK, typed by the codegen module: exactly the four accepted events, in order (a forged or
    // invalid one would have come first).
    await waitFor(() => feed.lines.length >= 4, 15_000, 'the four events in the SDK feed');
    expect(feed.lines).toEqual([
      'push acme/widgets refs/heads/main 0d1a26e by octocat (1 commit)',
      'pull acme/widgets#1347 opened: Add dark mode to the widget picker (dark-mode → main)',
      'workflow acme/widgets CI #4821: failure',
      'sync widgets-production Succeeded at 0d1a26e (Progressing)',
    ]);

    // The CLI binary: github's three, one line each by the catalogue's render rules (summary, link),
    // then the topic; and argocd's sync as an envelope of its declared type.
    const tailed = await tailExit;
    expect(tailed.code, tailed.stderr).toBe(0);
    const headers = tailed.stdout.split('\n').filter((line) => line.includes('[github]'));
    expect(headers.map((line) => line.replace(/^\d\d:\d\d:\d\d /, ''))).toEqual([
      '[github] acme/widgets refs/heads/main: octocat pushed 1 commits (0d1a26e)  https://github.com/acme/widgets/compare/9049f1265b7d...0d1a26e67d8f',
      '[github] acme/widgets #1347 "Add dark mode to the widget picker": hubot opened  https://github.com/acme/widgets/pull/1347',
      '[github] acme/widgets CI #4821: completed, failure  https://github.com/acme/widgets/actions/runs/12011234567',
    ]);
    expect(tailed.stdout).toContain('github/acme/widgets/workflow-run/completed');
    const argocdTailed = await argocdExit;
    expect(argocdTailed.code, argocdTailed.stderr).toBe(0);
    const [tailedSync] = argocdTailed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { topic: string; event: { type: string; source: string } });
    expect([tailedSync!.topic, tailedSync!.event.type]).toEqual([
      'argocd/widgets-production/sync/Succeeded',
      'argocd.sync',
    ]);

    await feed.client.close();
    broker.kill('SIGTERM');
    expect((await brokerExit).code).toBe(0);
  }, 120_000);

  it('types data and params from the catalogue (a compile-time check: tsc fails here when codegen drifts)', () => {
    type PushData = Parameters<typeof github.push.subject>[0];
    expectTypeOf<PushData['ref']>().toEqualTypeOf<string>();
    type SyncPhase = Parameters<typeof argocd.sync.subject>[0]['operation']['phase'];
    expectTypeOf<SyncPhase>().toEqualTypeOf<'Succeeded' | 'Failed' | 'Error'>();
    // Refused by tsc and, for a caller that is not type-checked, at run time.
    // @ts-expect-error: the push topic has no `number` parameter
    expect(() => github.push({ number: '1' })).toThrow(/has no parameter "number"/);
    expect(github.push.type).toBe('github.push');
  });
});
