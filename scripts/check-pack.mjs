#!/usr/bin/env node
// What npm installs must be what we test. Packs every publishable package as `pnpm publish` would,
// lints each tarball (publint --strict, arethetypeswrong), installs the tarballs with npm into an
// empty directory outside the workspace (no links), and runs there what a user runs: the CLI, a
// broker with level persistence under the load that lost acknowledged messages with unpatched
// aedes, pub → tail, a typed ESM consumer; then that a broken install refuses to start.
// Needs `pnpm build` first. Usage: node scripts/check-pack.mjs [--keep] (keeps the temp directory).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'firehose-pack-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failures = 0;
let checks = 0;

function step(title) {
  process.stdout.write(`\ncheck:pack: ${title}\n`);
}
function pass(what) {
  checks++;
  process.stdout.write(`  ok  ${what}\n`);
}
function fail(what, detail = '') {
  checks++;
  failures++;
  process.stdout.write(`  FAIL ${what}${detail ? `\n${detail.replace(/^/gm, '       ')}` : ''}\n`);
}
function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}
function attempt(what, fn) {
  try {
    const note = fn();
    pass(note ? `${what}: ${note}` : what);
  } catch (error) {
    fail(what, [error.stdout, error.stderr, error.message].filter(Boolean).join('\n').trim().slice(-3000));
  }
}

const publishable = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true;
    } catch {
      return false;
    }
  });

step('pack');
mkdirSync(tarballs, { recursive: true });
for (const dir of publishable) {
  attempt(`pnpm pack ${dir.slice(root.length + 1)}`, () => {
    run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir });
  });
}
const packed = readdirSync(tarballs).filter((name) => name.endsWith('.tgz'));
for (const name of packed) {
  const listing = run('tar', ['tzf', join(tarballs, name)])
    .trim()
    .split('\n');
  const stray = listing.filter((file) =>
    /\.test\.|^package\/(test|bench)\/|tsconfig|\.turbo|node_modules/.test(file),
  );
  const size = (statSync(join(tarballs, name)).size / 1024).toFixed(1);
  if (stray.length > 0) fail(`${name} holds only what runs`, stray.slice(0, 10).join('\n'));
  else pass(`${name}: ${listing.length} files, ${size} KiB`);
}

step('lint the packages (publint --strict, arethetypeswrong ESM profile)');
for (const name of packed) {
  attempt(`publint ${name}`, () => {
    const out = run(bin('publint'), ['run', join(tarballs, name), '--strict']);
    if (!/All good/.test(out)) throw Object.assign(new Error('publint reported problems'), { stdout: out });
  });
  attempt(`attw ${name}`, () => {
    run(bin('attw'), [join(tarballs, name), '--profile', 'esm-only', '--format', 'ascii']);
  });
}

step('npm install the tarballs into an empty directory');
mkdirSync(app, { recursive: true });
writeFileSync(
  join(app, 'package.json'),
  JSON.stringify({ name: 'firehose-pack-check', private: true, type: 'module' }),
);
attempt('npm install', () => {
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packed.map((name) => join(tarballs, name))],
    {
      cwd: app,
      timeout: 300_000,
    },
  );
});
const firehose = join(app, 'node_modules', '.bin', 'firehose');
attempt('the installed broker carries the aedes fixes', () => {
  const utils = readFileSync(join(app, 'node_modules', '@firehose', 'aedes', 'lib', 'utils.js'), 'utf8');
  if (!utils.includes('class InOrder')) throw new Error('node_modules/@firehose/aedes lacks InOrder');
});
attempt('the installed broker uses the Redis store fork, pinned, with its fix', () => {
  const modules = join(app, 'node_modules');
  const broker = JSON.parse(readFileSync(join(modules, '@firehose', 'broker', 'package.json'), 'utf8'));
  const fork = JSON.parse(
    readFileSync(join(modules, '@firehose', 'aedes-persistence-redis', 'package.json'), 'utf8'),
  );
  const pinned = broker.dependencies?.['@firehose/aedes-persistence-redis'];
  if (pinned !== fork.version)
    throw new Error(`the broker depends on "${pinned}", the fork is ${fork.version}`);
  if (broker.dependencies?.['aedes-persistence-redis'])
    throw new Error('the broker still depends on upstream');
  const store = readFileSync(
    join(modules, '@firehose', 'aedes-persistence-redis', 'asyncPersistence.js'),
    'utf8',
  );
  if (!store.includes('if (removed === 0)')) throw new Error('the fork lacks the reference-count fix');
  return `@firehose/aedes-persistence-redis ${fork.version}`;
});
attempt('firehose --version', () => {
  const version = run(firehose, ['--version'], { cwd: app }).trim();
  const expected = JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8')).version;
  if (version !== expected) throw new Error(`printed ${version}, expected ${expected}`);
  return version;
});

async function freePort() {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Starts `firehose broker` from the install; resolves once it listens. */
async function startBroker(config) {
  const file = join(work, `broker-${config.listeners.mqtt.port}.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(firehose, ['broker', '--config', file], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  await new Promise((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start in 30 s:\n${output}`)), 30_000);
    const poll = setInterval(() => {
      if (output.includes('firehose broker listening')) {
        clearInterval(poll);
        clearTimeout(timer);
        done();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`broker exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

step(
  'the broker installed from the tarballs, level (rounds 1–3) and redis (round 4) persistence, two pipelined QoS 1 publishers',
);
// The scenario that lost acknowledged messages with the pnpm patch (598, 576, 585 of 600): a live
// persistent QoS 1 subscriber on load/#, two publishers sending 300 each without awaiting PUBACK.
const LOAD = `
import mqtt from 'mqtt';
const url = process.argv[2];
const per = 300;
const connect = (options) => mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
const subscriber = await connect({ clientId: 'pack-check-' + process.argv[3], clean: false });
const seen = new Map([['load/a', []], ['load/b', []]]);
subscriber.on('message', (topic, payload) => seen.get(topic)?.push(Number(payload.toString())));
await subscriber.subscribeAsync('load/#', { qos: 1 });
const a = await connect({ username: 'load', password: 'pw' });
const b = await connect({ username: 'load', password: 'pw' });
const send = (client, topic) => Promise.all(Array.from({ length: per }, (_, i) => client.publishAsync(topic, String(i), { qos: 1 })));
await Promise.all([send(a, 'load/a'), send(b, 'load/b')]);
const deadline = Date.now() + 20000;
while ((seen.get('load/a').length < per || seen.get('load/b').length < per) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const inOrder = (list) => list.length === per && list.every((n, i) => n === i);
const unique = new Set([...seen.get('load/a').map((n) => 'a' + n), ...seen.get('load/b').map((n) => 'b' + n)]).size;
console.log(JSON.stringify({ unique, received: seen.get('load/a').length + seen.get('load/b').length, inOrder: inOrder(seen.get('load/a')) && inOrder(seen.get('load/b')) }));
await Promise.all([a.endAsync(), b.endAsync(), subscriber.endAsync()]);
`;
writeFileSync(join(app, 'load.mjs'), LOAD);
const passwordHash = run(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "import { hashPassword } from '@firehose/broker'; console.log(await hashPassword('pw'));",
  ],
  { cwd: app },
).trim();
/** A redis-server of its own for round 4 (the installed Redis store fork); stopped after it. */
async function startRedis() {
  const { systemProgram } = await import('../tests/support/src/system-programs.mjs');
  const port = await freePort();
  const dir = join(work, 'redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    systemProgram('redis-server'),
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  await new Promise((done, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start in 30 s:\n${output}`)),
      30_000,
    );
    const poll = setInterval(() => {
      if (!output.includes('Ready to accept connections')) return;
      clearInterval(poll);
      clearTimeout(timer);
      done();
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

const rounds = [];
for (let round = 1; round <= 4; round++) {
  const port = await freePort();
  // Rounds 1–3 on level; round 4 on Redis, through the installed @firehose/aedes-persistence-redis.
  const redis =
    round === 4
      ? await startRedis().catch((error) => (fail('start redis-server', error.message), null))
      : undefined;
  if (redis === null) continue;
  const broker = await startBroker({
    listeners: { mqtt: { host: '127.0.0.1', port } },
    persistence: redis ? redis.url : `level:${join(work, `level-${round}`)}`,
    accounts: { load: { password: passwordHash, write: ['load/#'] } },
  }).catch((error) => (fail(`round ${round}: start the broker`, error.message), undefined));
  if (!broker) {
    redis?.stop();
    continue;
  }
  try {
    const result = JSON.parse(
      run(process.execPath, ['load.mjs', `mqtt://127.0.0.1:${port}`, String(round)], {
        cwd: app,
        timeout: 60_000,
      }),
    );
    rounds.push(`${result.unique}/600`);
    if (result.unique === 600 && result.received === 600 && result.inOrder)
      pass(`round ${round}: 600 of 600 delivered, in order, once each`);
    else
      fail(
        `round ${round}: ${result.unique} unique of 600 (${result.received} received, in order: ${result.inOrder})`,
      );
  } catch (error) {
    fail(`round ${round}`, [error.stdout, error.stderr, error.message].filter(Boolean).join('\n'));
  } finally {
    await broker.stop();
    redis?.stop();
  }
}

step('firehose pub → firehose tail --count 1');
{
  const port = await freePort();
  const broker = await startBroker({
    listeners: { mqtt: { host: '127.0.0.1', port } },
    accounts: { gerrit: { password: passwordHash, write: ['gerrit/#'] } },
  }).catch((error) => (fail('start the broker', error.message), undefined));
  if (broker) {
    const url = `mqtt://127.0.0.1:${port}`;
    const tail = spawn(
      firehose,
      ['tail', '--url', url, '--count', '1', '--format', 'ndjson', '--timeout', '30s', 'gerrit/#'],
      {
        cwd: app,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let tailOut = '';
    let tailErr = '';
    tail.stdout.on('data', (chunk) => (tailOut += chunk));
    tail.stderr.on('data', (chunk) => (tailErr += chunk));
    // publish once tail says it subscribed
    const deadline = Date.now() + 20_000;
    while (!/subscribed/i.test(tailErr) && tail.exitCode === null && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const data = JSON.parse(
      readFileSync(
        join(app, 'node_modules', '@firehose', 'schema', 'fixtures', 'gerrit', 'comment-added.json'),
        'utf8',
      ),
    );
    attempt('firehose pub', () => {
      run(
        firehose,
        [
          'pub',
          '--url',
          url,
          '-u',
          'gerrit',
          'gerrit/openstack/nova/comment-added',
          JSON.stringify(data.data ?? data),
        ],
        {
          cwd: app,
          env: { ...process.env, FIREHOSE_PASSWORD: 'pw' },
        },
      );
    });
    const code = await new Promise((done) =>
      tail.exitCode !== null ? done(tail.exitCode) : tail.once('exit', done),
    );
    attempt('firehose tail --count 1 printed the event and exited 0', () => {
      if (code !== 0) throw new Error(`exit ${code}: ${tailErr}`);
      const record = JSON.parse(tailOut.trim().split('\n')[0]);
      if (record.topic !== 'gerrit/openstack/nova/comment-added') throw new Error(`got ${tailOut}`);
    });
    await broker.stop();
  }
}

step(
  'a typed ESM consumer of @firehose/client and @firehose/schema, checked by tsc against the shipped .d.ts',
);
writeFileSync(
  join(app, 'consumer.mts'),
  `import { connect } from '@firehose/client';
import { gerrit, render, type InferData } from '@firehose/schema';

export async function watch(url: string): Promise<void> {
  const client = await connect(url);
  await client.subscribe(gerrit.commentAdded(), ({ event, params }) => {
    const change: number = event.data.change.number;
    const project: string = params.project;
    console.log(project, change, render(event).summary);
  });
}
export type CommentAddedData = InferData<typeof gerrit.commentAdded>;
console.log(gerrit.commentAdded.topic({ project: 'openstack/nova' }));
`,
);
writeFileSync(
  join(app, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      skipLibCheck: false,
      types: [],
    },
    files: ['consumer.mts'],
  }),
);
attempt('tsc --noEmit (strict, skipLibCheck off)', () => {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
    cwd: app,
  });
});

step('a broken install refuses to start');
attempt('an aedes without the firehose fixes: one sentence, exit 1', () => {
  const file = join(app, 'node_modules', '@firehose', 'aedes', 'aedes.js');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original.replace(/export const FIREHOSE_FIXES = \d+/, ''));
  const config = join(work, 'refused.json');
  writeFileSync(config, JSON.stringify({ listeners: { mqtt: { host: '127.0.0.1', port: 0 } } }));
  try {
    run(firehose, ['broker', '--config', config], { cwd: app });
    throw new Error('the broker started');
  } catch (error) {
    if (error.status !== 1 || !/lacks the firehose fixes/.test(error.stderr)) throw error;
    return error.stderr.trim().split('\n')[0];
  } finally {
    writeFileSync(file, original);
  }
});
attempt('a Node older than engines: one sentence, exit 1', () => {
  // stands in for an old Node: the bin reads process.versions.node before it loads anything
  const preload = join(work, 'old-node.cjs');
  writeFileSync(preload, "Object.defineProperty(process.versions, 'node', { value: '18.19.0' });\n");
  try {
    run(process.execPath, ['--require', preload, firehose, '--version'], { cwd: app });
    throw new Error('it ran');
  } catch (error) {
    if (error.status !== 1 || !/needs Node/.test(error.stderr)) throw error;
    return error.stderr.trim().split('\n')[0];
  }
});

if (!keep) rmSync(work, { recursive: true, force: true });
else process.stdout.write(`\nkept ${work}\n`);
process.stdout.write(
  `\ncheck:pack: ${checks - failures} passed, ${failures} failed (rounds: ${rounds.join(', ') || 'none'})\n`,
);
process.exit(failures === 0 ? 0 : 1);
