// `pnpm --filter @firehose/broker bench`: the firehose broker (auth + ACL + validation + catalogue)
// against bare aedes 1.2.0 (upstream, the devDependency; the broker runs on @firehose/aedes), in the same run, with separate publisher and subscriber processes.
// Prints tables (msg/s, p50/p99 latency, RSS); asserts nothing. Needs `pnpm build` first.
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
if (!existsSync(here('../dist/index.js'))) {
  console.error('Build first: pnpm build (the bench runs the built broker).');
  process.exit(1);
}
const { hashPassword } = await import('../dist/index.js');
const { createServiceEvent, gerrit } = await import('@firehose/schema');

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const PUBLISHERS = env('BENCH_PUBLISHERS', 2);
const SUBSCRIBERS = env('BENCH_SUBSCRIBERS', 2);
const SUB_CONNECTIONS = env('BENCH_SUB_CONNECTIONS', 1);
const THROUGHPUT_MS = env('BENCH_THROUGHPUT_MS', 4000);
const LATENCY_MS = env('BENCH_LATENCY_MS', 3000);
const LATENCY_RATE = env('BENCH_LATENCY_RATE', 1000); // per publisher

const password = 'bench-pw';
const firehoseConfig = {
  listeners: { mqtt: { host: '127.0.0.1', port: 0 }, ws: { host: '127.0.0.1', port: 0 } },
  accounts: { bench: { password: await hashPassword(password), write: ['bench/#', 'gerrit/#'] } },
  catalogue: { interval: 5 },
  sys: { interval: 10 },
  limits: { maxConnectionsPerIp: 5000, connectionRatePerIp: 100_000 },
};

const require = createRequire(import.meta.url);
const fixture = JSON.parse(readFileSync(require.resolve('@firehose/schema/fixtures/gerrit/comment-added.json'), 'utf8'));
function gerritPayload() {
  const data = structuredClone(fixture.data);
  // A fixed-width slot the publisher overwrites with the send time (keeps the event valid).
  data.comment = `Patch Set 3: Code-Review+2\n\nTS:${'0'.repeat(17)}\n\n` + 'Looks good to me. '.repeat(40);
  const event = createServiceEvent(gerrit.commentAdded, data, {});
  return JSON.stringify(event);
}

const scenarios = [
  {
    name: '(a) 200 B, undeclared topics',
    target: 0.85,
    filter: 'bench/#',
    topics: Array.from({ length: 16 }, (_, i) => `bench/load/${i}/event`),
    payload: `TS:${'0'.repeat(17)}`.padEnd(200, 'x'),
  },
  {
    name: '(b) 2 KB valid gerrit envelopes',
    target: 0.6,
    filter: 'gerrit/#',
    topics: ['gerrit/openstack/nova/comment-added'],
    payload: gerritPayload(),
  },
  {
    name: '(c) 1,000 WebSocket subscribers, 2 KB gerrit envelopes, 10 msg/s',
    filter: 'gerrit/#',
    topics: ['gerrit/openstack/nova/comment-added'],
    payload: gerritPayload(),
    ws: true,
    subscribers: 2,
    connections: 500,
    latencyOnly: true,
    latencyRate: 5,
    firehoseOnly: true,
  },
];

function worker(role, init) {
  // BENCH_PROFILE=DIR writes a CPU profile of each broker process there (node --cpu-prof).
  const profile = role === 'broker' && process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(here('./workers.mjs'), [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: profile });
  const waiters = [];
  child.on('message', (message) => {
    const index = waiters.findIndex((w) => w.type === message.type);
    if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) {
      console.error(`bench: a ${role} worker failed (exit ${code}); stopping.`);
      process.exit(1);
    }
  });
  const next = (type) => new Promise((resolve) => waiters.push({ type, resolve }));
  const ready = next('ready');
  child.send(init);
  return { child, ready, next, send: (message) => child.send(message) };
}

/** Sends a worker a request of `type` and resolves with its reply of the same type. */
function ask(worker, type) {
  const reply = worker.next(type);
  worker.send({ type });
  return reply;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(kind, scenario) {
  const broker = worker('broker', { kind, config: firehoseConfig });
  const { port, wsUrl } = await broker.ready;
  const subscribers = scenario.subscribers ?? SUBSCRIBERS;
  const connections = scenario.connections ?? SUB_CONNECTIONS;
  const subs = Array.from({ length: subscribers }, () =>
    worker('subscriber', { port, wsUrl: scenario.ws ? wsUrl : undefined, filter: scenario.filter, connections }),
  );
  await Promise.all(subs.map((s) => s.ready));
  const pubs = Array.from({ length: PUBLISHERS }, () =>
    worker('publisher', { port, topics: scenario.topics, payload: scenario.payload, username: 'bench', password }),
  );
  await Promise.all(pubs.map((p) => p.ready));

  const phase = async (durationMs, rate) => {
    for (const s of subs) s.send({ type: 'reset', latency: rate > 0 });
    const done = pubs.map((p) => p.next('done'));
    for (const p of pubs) p.send({ type: 'run', durationMs, rate });
    const sent = (await Promise.all(done)).reduce((sum, m) => sum + m.sent, 0);
    // Let queued deliveries drain: wait until the subscribers' counts stop moving (max 10 s).
    let previous = -1;
    for (let i = 0; i < 40; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const counts = await Promise.all(subs.map((s) => ask(s, 'report')));
      const total = counts.reduce((sum, r) => sum + r.count, 0);
      if (total === previous) break;
      previous = total;
    }
    const reports = await Promise.all(subs.map((s) => ask(s, 'report')));
    const delivered = reports.reduce((sum, r) => sum + r.count, 0);
    const first = Math.min(...reports.map((r) => r.first));
    const last = Math.max(...reports.map((r) => r.last));
    const latencies = reports.flatMap((r) => r.latencies).sort((a, b) => a - b);
    return { sent, delivered, seconds: Math.max((last - first) / 1000, 0.001), latencies };
  };

  const cpu = () => ask(broker, 'cpu');
  const cpuBefore = await cpu();
  const throughput = scenario.latencyOnly
    ? { sent: 0, delivered: 0, seconds: 1, latencies: [] }
    : await phase(THROUGHPUT_MS, 0);
  const cpuAfter = await cpu();
  const cpuMicros = cpuAfter.micros - cpuBefore.micros;
  const latency = await phase(LATENCY_MS, scenario.latencyRate ?? LATENCY_RATE);
  const { rss, peakRss } = await ask(broker, 'rss');
  for (const w of [...pubs, ...subs]) w.send({ type: 'stop' });
  const exited = new Promise((resolve) => broker.child.once('exit', resolve));
  broker.send({ type: 'stop' });
  await exited;
  return {
    acceptedPerSecond: throughput.sent / (THROUGHPUT_MS / 1000),
    // Broker CPU time per message in and out: comparable even when other processes share the cores.
    perCpuSecond: (throughput.sent + throughput.delivered) / (cpuMicros / 1e6),
    deliveredPerSecond: throughput.delivered / throughput.seconds,
    // Each write syscall costs far more than the broker's own work on a small message.
    writesPerDelivery: (cpuAfter.writes - cpuBefore.writes) / Math.max(throughput.delivered, 1),
    deliveredRatio: throughput.delivered / Math.max(throughput.sent * subscribers * connections, 1),
    p50: percentile(latency.latencies, 50),
    p99: percentile(latency.latencies, 99),
    latencyDelivered: latency.delivered / Math.max(latency.sent * subscribers * connections, 1),
    latencySent: latency.sent,
    rssMiB: rss / 2 ** 20,
    peakRssMiB: peakRss / 2 ** 20,
  };
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
console.log(
  `firehose broker bench: ${PUBLISHERS} publisher and ${SUBSCRIBERS}×${SUB_CONNECTIONS} subscriber processes, ` +
    `QoS 0, throughput ${THROUGHPUT_MS} ms at full speed, latency ${LATENCY_MS} ms at ${LATENCY_RATE} msg/s per publisher`,
);
const ROUNDS = env('BENCH_ROUNDS', 2);
// BENCH_SCENARIOS=b runs only scenario (b); default: all.
const only = process.env.BENCH_SCENARIOS;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
for (const scenario of scenarios.filter((s) => (only ? only.includes(s.name[1]) : true))) {
  if (scenario.firehoseOnly) {
    const r = await measure('firehose', scenario);
    console.log(`\n${scenario.name} — fan-out over WebSocket (firehose only)`);
    console.log('| messages published | deliveries expected | delivered | p50 ms | p99 ms | RSS MiB (peak) |');
    console.log('|---:|---:|---:|---:|---:|---:|');
    const expected = r.latencySent * (scenario.subscribers * scenario.connections);
    console.log(`| ${r.latencySent} | ${expected} | ${fmt(r.latencyDelivered * 100, 1)}% | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.rssMiB)} (${fmt(r.peakRssMiB)}) |`);
    continue;
  }
  const results = { aedes: [], firehose: [] };
  // Alternate the order each round: the machine's other load drifts.
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of round % 2 === 0 ? ['aedes', 'firehose'] : ['firehose', 'aedes']) {
      results[kind].push(await measure(kind, scenario));
    }
  }
  console.log(`\n${scenario.name} — target firehose ≥ ${scenario.target}× aedes (delivered msg/s, median of ${ROUNDS})`);
  console.log('| broker | round | published msg/s | delivered msg/s | msgs in+out per broker CPU-s | write syscalls per delivery | delivered/expected | p50 ms | p99 ms | RSS MiB (peak) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, kind] of [['bare aedes 1.2.0', 'aedes'], ['firehose', 'firehose']]) {
    results[kind].forEach((r, round) => {
      console.log(
        `| ${name} | ${round + 1} | ${fmt(r.acceptedPerSecond)} | ${fmt(r.deliveredPerSecond)} | ${fmt(r.perCpuSecond)} | ${fmt(r.writesPerDelivery, 3)} | ${fmt(r.deliveredRatio * 100, 1)}% | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${fmt(r.rssMiB)} (${fmt(r.peakRssMiB)}) |`,
      );
    });
  }
  const ratio =
    median(results.firehose.map((r) => r.deliveredPerSecond)) / median(results.aedes.map((r) => r.deliveredPerSecond));
  const cpuRatio = median(results.firehose.map((r) => r.perCpuSecond)) / median(results.aedes.map((r) => r.perCpuSecond));
  console.log(`ratio firehose/aedes: ${fmt(ratio, 2)}× delivered msg/s (${ratio >= scenario.target ? 'meets' : 'below'} the ${scenario.target}× target); ${fmt(cpuRatio, 2)}× messages per broker CPU-second`);
}
