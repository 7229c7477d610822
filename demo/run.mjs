#!/usr/bin/env node
// `pnpm demo`: build what the demo needs, then run the whole stack in this one process — an
// embedded in-memory broker (demo/broker.yaml), the simulated publishers and the dashboard's
// server — print the URL to open and a `firehose tail` command, and stop everything on Ctrl-C.
// Flags: pnpm demo --help
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

const HELP = `Usage: pnpm demo [options]

Starts a firehose broker, simulated publishers and the live dashboard; Ctrl-C stops them.

Options:
  --host <addr>          address every listener binds to        default 127.0.0.1
  --mqtt-port <n>        MQTT listener                          default 1883
  --ws-port <n>          MQTT over WebSocket (the dashboard)    default 8080
  --http-port <n>        /metrics /healthz /readyz              default 9090
  --dashboard-port <n>   dashboard web page                     default 5173
  --rate <n>             traffic multiplier; 1 ≈ 1,000 msgs/min default 1
  --seed <seed>          simulation seed                        default 42
  --no-build             skip the build step (already built)
  -h, --help             this text

Ports may be 0 (a free port). The demo's passwords are public (demo/accounts.json), so keep
--host on loopback unless you know who can reach this machine.`;

/** Parses the flags; exits with a usage message on nonsense. */
function options() {
  // `pnpm demo -- --rate 5` may pass the `--` through; the flags are after it either way.
  const args = process.argv.slice(2);
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        'mqtt-port': { type: 'string', default: '1883' },
        'ws-port': { type: 'string', default: '8080' },
        'http-port': { type: 'string', default: '9090' },
        'dashboard-port': { type: 'string', default: '5173' },
        rate: { type: 'string', default: '1' },
        seed: { type: 'string', default: '42' },
        'no-build': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      args: args[0] === '--' ? args.slice(1) : args,
    });
  } catch (error) {
    fail(`${error.message.replace(/\.?$/, '.')} See pnpm demo --help.`);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const port = (name) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 0 || value > 65535)
      fail(`--${name} must be a whole number from 0 to 65535; got ${values[name]}.`);
    return value;
  };
  const rate = Number(values.rate);
  if (!Number.isFinite(rate) || rate <= 0) fail(`--rate must be a positive number; got ${values.rate}.`);
  return {
    host: values.host,
    mqttPort: port('mqtt-port'),
    wsPort: port('ws-port'),
    httpPort: port('http-port'),
    dashboardPort: port('dashboard-port'),
    rate,
    seed: /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed,
    build: !values['no-build'],
  };
}

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(2);
}

/** Builds the demo's packages and their dependencies (turbo caches: fast when nothing changed). */
function build() {
  console.log('demo: building (turbo run build for the demo publishers, the dashboard and the CLI)…');
  const filters = ['@firehose/demo-publishers', '@firehose/dashboard', '@firehose/cli'].map(
    (name) => `--filter=${name}`,
  );
  const result = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'],
    {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    },
  );
  if (result.status !== 0)
    fail(`the build failed (exit ${result.status ?? result.signal}); see the output above.`);
}

/** The demo runs the built packages (dist/), as a user of the published packages would. */
const load = (path) => import(pathToFileURL(join(root, path)).href);

const PORT_FLAGS = [
  ['mqttPort', 'mqtt-port', 'MQTT'],
  ['wsPort', 'ws-port', 'WebSocket'],
  ['httpPort', 'http-port', 'metrics'],
  ['dashboardPort', 'dashboard-port', 'dashboard'],
];

/** One sentence for a port someone else holds: which port, what it was for, what to do. */
function busyPort(port, flag, what) {
  return `port ${port} (${what}, --${flag}) is already in use, probably by another demo or broker: stop that one (ss -ltnp 'sport = :${port}' shows which process it is) or start this demo with --${flag} 0 to pick a free port.`;
}

/** Resolves to the first requested port already in use, before anything starts. */
async function firstBusyPort(opts) {
  for (const [key, flag, what] of PORT_FLAGS) {
    const port = opts[key];
    if (port === 0) continue;
    const busy = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', (error) => resolve(error.code === 'EADDRINUSE'));
      probe.listen(port, opts.host, () => probe.close(() => resolve(false)));
    });
    if (busy) return busyPort(port, flag, what);
  }
  return undefined;
}

/** A listen failure phrased as what to do (a port taken between the check and the listen). */
function explain(error, opts) {
  if (error?.code === 'EADDRINUSE' || /EADDRINUSE/.test(String(error?.message))) {
    const port = Number(/:(\d+)\b/.exec(String(error.message))?.[1] ?? error.port);
    const found = PORT_FLAGS.find(([key]) => opts[key] === port);
    if (found) return busyPort(port, found[1], found[2]);
    return `${error.message}; another demo or broker holds a port: stop it, or start this demo with --mqtt-port 0 --ws-port 0 --http-port 0 --dashboard-port 0.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The processes between this one and whoever started it (`pnpm demo` runs \`sh -c node demo/run.mjs\`).
 * Linux only (/proc); elsewhere just the parent.
 */
function launchers() {
  const chain = [process.ppid];
  try {
    const parentStat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces; field 4 (ppid) follows it.
    const [comm, rest] = [
      parentStat.slice(parentStat.indexOf('(') + 1, parentStat.lastIndexOf(')')),
      parentStat.slice(parentStat.lastIndexOf(')') + 2),
    ];
    const grandparent = Number(rest.split(' ')[1]);
    if (/^(sh|bash|dash)$/.test(comm) && grandparent > 1) chain.push(grandparent);
  } catch {
    // No /proc: watch the parent only.
  }
  return chain;
}

/**
 * Calls `onGone` when the launcher chain ends: a stop signal sent to \`pnpm demo\` kills pnpm (and its
 * shell) without passing the signal on, which used to leave this process holding every port.
 */
function watchLaunchers(onGone) {
  const initialParent = process.ppid;
  const chain = launchers();
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return error.code === 'EPERM';
    }
  };
  const timer = setInterval(() => {
    if (process.ppid !== initialParent || !chain.every(alive)) {
      clearInterval(timer);
      onGone();
    }
  }, 250);
  timer.unref();
}

async function main() {
  const opts = options();
  const busy = await firstBusyPort(opts);
  if (busy) {
    console.error(`demo: ${busy}`);
    process.exit(1);
  }
  if (opts.build) build();
  const modules = await Promise.all([
    load('packages/broker/dist/index.js'),
    load('apps/demo-publishers/dist/index.js'),
    load('apps/dashboard/server.mjs'),
  ]).catch((error) =>
    fail(
      `cannot load the built packages (${error.message}). Run pnpm demo without --no-build, or pnpm build first.`,
    ),
  );
  const [{ createBroker, readConfigFile }, { startPublishers, loadAccounts }, { startDashboardServer }] =
    modules;

  const stops = [];
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    console.log('\ndemo: stopping…');
    // Every port is free within 5 s of any stop signal, even if a close hangs (a slow client).
    setTimeout(() => {
      console.error('demo: stopping took too long; exiting with the ports released.');
      process.exit(code === 0 ? 1 : code);
    }, 4000);
    // Reverse start order: publishers first, so nothing publishes into a closing broker.
    for (const close of stops.reverse())
      await close().catch((error) => console.error(`demo: ${error.message}`));
    console.log('demo: stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => void stop(0));
  watchLaunchers(() => void stop(0));

  console.log(
    `demo: starting the broker and the publishers (rate ${opts.rate}; the simulation warms up first)…`,
  );
  try {
    const config = await readConfigFile(join(root, 'demo/broker.yaml'));
    const listen = (port, extra = {}) => ({ ...extra, host: opts.host, port });
    const broker = await createBroker({
      ...config,
      listeners: {
        mqtt: listen(opts.mqttPort),
        ws: listen(opts.wsPort, { path: '/mqtt' }),
        http: listen(opts.httpPort),
      },
    });
    broker.on('error', (error) => console.error(`broker: ${error.message}`));
    await broker.listen();
    stops.push(() => broker.close());
    const mqttUrl = broker.url('mqtt');
    const wsPort = broker.address('ws').port;
    const http = broker.address('http');
    // The CLI finds the history API on the broker's host at port 9090 by itself; on another port it needs
    // --history-url, which would put a second http:// address in this banner, so those lines are left out.
    const historyCommands =
      http.port === 9090
        ? `    node packages/cli/dist/bin.js tail --url ${mqttUrl} --since 10m -o terse
    node packages/cli/dist/bin.js history --url ${mqttUrl} --service zuul --since 1h
`
        : '';

    const accounts = await loadAccounts(join(root, 'demo/accounts.json'));
    const publishers = await startPublishers({ url: mqttUrl, accounts, rate: opts.rate, seed: opts.seed });
    stops.push(() => publishers.stop());

    // `{host}` lets the page reach the broker on whatever host name the browser used.
    const dashboard = await startDashboardServer({
      host: opts.host,
      port: opts.dashboardPort,
      broker: `ws://{host}:${wsPort}/mqtt`,
      // The page reads the broker's archive (history on open, older pages, search) through this server,
      // which forwards /v1/ to the broker's HTTP listener: one origin, so no CORS is needed.
      historyUpstream: broker.url('http'),
    });
    stops.push(() => dashboard.close());

    console.log(`
  firehose demo is running: ${Object.keys(accounts).length} simulated services → broker → dashboard.

  Open the dashboard:  ${dashboard.url}

  Try the CLI in another terminal:
    node packages/cli/dist/bin.js tail --url ${mqttUrl} --service gerrit --project openstack/nova
${historyCommands}
  (broker on ${opts.host}: MQTT port ${broker.address('mqtt').port}, WebSocket port ${wsPort}, metrics port ${http.port}; rate ${opts.rate}, seed ${opts.seed})
  Ctrl-C stops everything.
`);
  } catch (error) {
    console.error(`demo: ${explain(error, opts)}`);
    await stop(1);
  }
}

await main();
