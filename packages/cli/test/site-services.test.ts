import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, type FirehoseBroker } from '@firehose/broker';
import { freePort, startTestBroker, systemProgram, waitFor } from '@firehose/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, finished, gerritData, run, startCli, waitForOutput, type RunResult } from './helpers.js';

// A site's own service, declared in a catalogue file the broker runs (catalogue.files): tail, topics
// and pub learn it from the broker's retained $firehose/services record, with no rebuild of the CLI
// (docs/architecture.md#site-catalogues).

const CATALOGUE = `firehose-catalogue: 1
services:
  github:
    description: GitHub webhooks of acme
    source: https://github.com/acme
    events:
      push:
        description: Commits pushed to a branch or tag
        topic: github/{owner}/{repo}/push
        params: { owner: repository.owner, repo: repository.name }
        identity: [repository.full_name, after]
        keys: { repo: repository.full_name }
        subject: '{repository.full_name}/commit/{after}'
        render:
          summary: '{data.repository.full_name} {data.ref}: {data.pusher} pushed {data.commits|count} commits ({data.after|short})'
          sentence: '{data.pusher} pushed to {data.ref} of {data.repository.full_name}'
          url: '{data.compare}'
          actors: ['{data.pusher}']
          keys: { repo: '{data.repository.full_name}', ref: '{data.ref}' }
        schema:
          type: object
          required: [repository, ref, after, pusher, commits]
          properties:
            repository:
              type: object
              required: [owner, name, full_name]
              properties:
                owner: { type: string }
                name: { type: string }
                full_name: { type: string }
            ref: { type: string }
            after: { type: string, pattern: '^[0-9a-f]{40}$' }
            pusher: { type: string }
            commits: { type: array }
            compare: { type: string }
      release:
        description: A release was published
        topic: github/{owner}/{repo}/release
        params: { owner: owner, repo: repo }
        schema:
          type: object
          required: [owner, repo, tag]
          properties: { owner: { type: string }, repo: { type: string }, tag: { type: string } }
`;

/** A push to acme/<repo>, as the site's publisher sends it. */
function push(repo: string, after = 'c0ffee'.padEnd(40, '0')): Record<string, unknown> {
  return {
    repository: { owner: 'acme', name: repo, full_name: `acme/${repo}` },
    ref: 'refs/heads/main',
    after,
    pusher: 'ann',
    commits: [{ id: 1 }, { id: 2 }],
    compare: `https://github.com/acme/${repo}/compare/a...b`,
  };
}

let dir: string;
let broker: FirehoseBroker;
let url: string;
let http: string;
const env = { FIREHOSE_PASSWORD: PASSWORD };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'firehose-cli-site-'));
  const file = join(dir, 'github.yaml');
  await writeFile(file, CATALOGUE);
  const password = await hashPassword(PASSWORD);
  broker = await startTestBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
    accounts: {
      github: { password, write: ['github/#'] },
      gerrit: { password, write: ['gerrit/#'] },
    },
    catalogue: { files: [file], interval: 1 },
    history: { enabled: true, path: join(dir, 'archive.sqlite') },
  });
  url = broker.url('mqtt')!;
  http = broker.url('http')!;
});
afterAll(async () => {
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `tail`, waits until it has subscribed, runs `action`, then collects its output. */
async function tailAround(args: string[], action: () => Promise<unknown>): Promise<RunResult> {
  const child = startCli(['tail', '--url', url, ...args]);
  const result = finished(child, 30_000);
  await waitForOutput(child.stderr, /subscribed to/, 20_000);
  await action();
  return result;
}

// Each test spawns several CLIs, concurrently: tens of seconds on a loaded 2-core machine.
describe.concurrent("a site's own services, learned from the broker", { timeout: 90_000 }, () => {
  it('tail --service/--event subscribes by the site topic template and renders by its render rules; pub builds topic and envelope', async () => {
    const result = await tailAround(
      [
        '--service',
        'github',
        '--event',
        'push',
        '--param',
        'repo=widgets',
        '--count',
        '1',
        '-o',
        '{service}|{summary}|{url}|{params.repo}|{type}',
      ],
      async () => {
        // Another repository first: the filter from the template must leave it out.
        for (const repo of ['gadgets', 'widgets']) {
          const published = await run(
            [
              'pub',
              '--url',
              url,
              '-u',
              'github',
              '--service',
              'github',
              '--event',
              'push',
              '--param',
              'owner=acme',
              '--param',
              `repo=${repo}`,
              JSON.stringify(push(repo)),
            ],
            { env },
          );
          expect(published.code, published.stderr).toBe(0);
          expect(published.stdout).toMatch(new RegExp(`^published github/acme/${repo}/push \\S+\\n$`));
        }
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('subscribed to github/+/widgets/push on');
    expect(result.stdout).toBe(
      'github|acme/widgets refs/heads/main: ann pushed 2 commits (c0ffee0)|https://github.com/acme/widgets/compare/a...b|widgets|github.push\n',
    );
  });

  it('tail without flags decodes a site event as declared (params, no problem) and json carries its envelope', async () => {
    const result = await tailAround(['--count', '1', '-o', 'ndjson', 'github/acme/ndjson/#'], async () => {
      const published = await run(
        ['pub', '--url', url, '-u', 'github', 'github/acme/ndjson/push', JSON.stringify(push('ndjson'))],
        { env },
      );
      expect(published.code, published.stderr).toBe(0);
      // Declared now: no "no service declares" warning.
      expect(published.stderr).toBe('');
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('undeclared');
    const record = JSON.parse(result.stdout) as { topic: string; event: Record<string, unknown> };
    expect(record.topic).toBe('github/acme/ndjson/push');
    expect(record.event).toMatchObject({
      type: 'github.push',
      source: 'https://github.com/acme',
      dataschema: 'urn:firehose:schema:github.push:1',
      subject: `acme/ndjson/commit/${'c0ffee'.padEnd(40, '0')}`,
    });
  });

  it('an unknown --service names every service the broker runs; an unknown --event the service’s events (exit 2)', async () => {
    const unknown = await run(['tail', '--url', url, '--service', 'gitlab']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      new RegExp(
        `no service 'gitlab' on ${url.replace(/[.]/g, '\\.')}; the broker runs: gerrit, .*, github\\.`,
      ),
    );
    const event = await run(['tail', '--url', url, '--service', 'github', '--event', 'fork']);
    expect(event.code).toBe(2);
    expect(event.stderr).toContain("github has no event 'fork'; its events: push, release.");
    const param = await run(['tail', '--url', url, '--service', 'github', '--project', 'x']);
    expect(param.code).toBe(2);
    expect(param.stderr).toContain("github topics have no parameter 'project'; they have: owner, repo.");
    const pub = await run(['pub', '--url', url, '--dry-run', '-s', 'github', '-e', 'fork', '{}']);
    expect(pub.code).toBe(2);
    expect(pub.stderr).toContain('no event type github.fork; github events: push, release.');
  });

  it('pub validates site data against its JSON Schema before sending anything, and a dry run builds the envelope', async () => {
    const bad = { ...push('checked'), after: 'not-a-sha' };
    const refused = await run(['pub', '--url', url, '-u', 'github', 'github/acme/checked/push', '-'], {
      input: `${JSON.stringify(push('checked'))}\n${JSON.stringify(bad)}\n`,
      env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('stdin line 2');
    expect(refused.stderr).toContain('invalid at /after: must match pattern');
    expect(refused.stderr).toContain('nothing was published');
    expect(refused.stdout).toBe('');

    const dry = await run([
      'pub',
      '--url',
      url,
      '--dry-run',
      '-s',
      'github',
      '-e',
      'release',
      '--param',
      'owner=acme',
      '--param',
      'repo=widgets',
      JSON.stringify({ owner: 'acme', repo: 'widgets', tag: 'v1.0.0' }),
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      topic: 'github/acme/widgets/release',
      event: { type: 'github.release', source: 'https://github.com/acme' },
    });
  });

  it('history and tail --since read a site service from the archive by --service/--event; an unknown one is refused naming it', async () => {
    // The only release any test publishes: what the archive holds for --event release.
    const release = { owner: 'acme', repo: 'archived', tag: 'v2.0.0' };
    const published = await run(
      [
        'pub',
        '--url',
        url,
        '-u',
        'github',
        ...['-s', 'github', '-e', 'release', '--param', 'owner=acme', '--param', 'repo=archived'],
        JSON.stringify(release),
      ],
      { env },
    );
    expect(published.code, published.stderr).toBe(0);
    const read = ['--url', url, '--history-url', http, '--service', 'github', '--event', 'release'];
    const format = ['-o', '{service}|{type}|{params.repo}|{data.tag}'];
    const line = 'github|github.release|archived|v2.0.0';
    let history: RunResult | undefined;
    await waitFor(
      async () => {
        history = await run(['history', ...read, ...format]);
        return history.code !== 0 || history.stdout !== '';
      },
      20_000,
      'the release in the archive',
    );
    expect(history?.code, history?.stderr).toBe(0);
    expect(history?.stdout).toBe(`${line}\n`);
    const tail = await run(['tail', ...read, ...format, '--since', '1h', '--count', '1', '--quiet'], {
      timeoutMs: 30_000,
    });
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout).toBe(`${line}\n`);

    for (const command of [['history'], ['tail', '--since', '1h']]) {
      const refused = await run([...command, '--url', url, '--history-url', http, '--service', 'gitlab']);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toMatch(
        new RegExp(
          `no service 'gitlab' on ${url.replace(/[.]/g, '\\.')}; the broker runs: gerrit, .*, github\\.`,
        ),
      );
    }
  });

  it('topics lists the site event types with their templates beside the built-in ones', async () => {
    const result = await run(['topics', '--url', url, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const view = JSON.parse(result.stdout) as {
      declared: { type: string; template: string; description: string }[];
    };
    expect(view.declared.find((row) => row.type === 'github.push')).toMatchObject({
      template: 'github/{owner}/{repo}/push',
      description: 'Commits pushed to a branch or tag',
    });
    expect(view.declared.some((row) => row.type === 'gerrit.comment-added')).toBe(true);
    const table = await run(['topics', '--url', url, '--color', 'never']);
    expect(table.stdout).toMatch(/^github\.release +1 +github\/\{owner\}\/\{repo\}\/release/m);
  });
});

describe(
  'a broker that publishes no $firehose/services record (Mosquitto, or a firehose before site catalogues)',
  { timeout: 90_000 },
  () => {
    let mosquitto: ChildProcess;
    let oldUrl: string;
    beforeAll(async () => {
      const port = await freePort();
      const conf = join(dir, 'mosquitto.conf');
      await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
      mosquitto = spawn(systemProgram('mosquitto'), ['-c', conf], { stdio: 'ignore' });
      oldUrl = `mqtt://127.0.0.1:${port}`;
      // Up once tail can connect: the built-in services need no record.
      await waitFor(
        async () => (await run(['topics', '--url', oldUrl, '--wait', '1ms'])).code === 0,
        20_000,
        'mosquitto accepting connections',
      );
    });
    afterAll(() => {
      mosquitto?.kill();
    });

    it('tail --service gerrit still works from the built-in services; a site service is refused saying why', async () => {
      const project = 'old/nova';
      const child = startCli([
        'tail',
        '--url',
        oldUrl,
        '--service',
        'gerrit',
        '--project',
        project,
        '--count',
        '1',
      ]);
      const result = finished(child, 30_000);
      await waitForOutput(child.stderr, /subscribed to/, 20_000);
      const data = gerritData('comment-added') as { change: Record<string, unknown> };
      data.change.project = project;
      const published = await run([
        'pub',
        '--url',
        oldUrl,
        `gerrit/${project}/comment-added`,
        JSON.stringify(data),
      ]);
      expect(published.code, published.stderr).toBe(0);
      const tail = await result;
      expect(tail.code, tail.stderr).toBe(0);
      expect(tail.stdout).toContain(project);

      const refused = await run(['tail', '--url', oldUrl, '--service', 'github']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `no service 'github' among the built-in services (gerrit, launchpad, zuul, gearman-subunit, gearman-logstash, ansible); ${oldUrl} published no $firehose/services record`,
      );
    });
  },
);
