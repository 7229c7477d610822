// @ts-check
// `pnpm bench:history [-- flags]`: the history archive's figures on this machine (prints them, asserts
// nothing). This process runs the built broker (dist/) with history on; publishers and the SSE reader
// are processes of their own (history-client.mjs), so the CPU this process spends is the broker's:
//   1. archive rate: publishers flat out over MQTT into a fresh archive; events/s archived, the
//      broker's CPU per event (its event loop's thread, and the whole process with the SQLite
//      writer), and the event loop's delay p99 meanwhile;
//   2. the same paced at 10,000 msg/s (the issue's target: event-loop delay p99 < 10 ms);
//   3. page latency over a generated archive of --events events (default 10,000,000), written in bulk
//      with the archive's own schema and write path (archive-db.js), not through MQTT, and cached
//      between runs in the temp dir: p50/p95 per filter, a rare topic over the whole range and
//      combinations included;
//   4. SSE catch-up from the archive's first event to one reader: events/s and broker CPU per event;
//   5. disk bytes per event, of both archives.
// Flags: --quick (a 1,000,000-event archive and short MQTT phases, for a shared machine), --events N,
// --publish N (flat-out events), --paced-seconds S, --publishers P, --sse N, --fresh (regenerate).
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createBroker, hashPassword } from '@firehose/broker';
import { services } from '@firehose/schema';
import { batchWriter, keyPathsOf, openForWriting } from '../src/history/archive-db.js';
import { generatedEvent, PROJECTS, RARE_TOPIC } from './history-events.mjs';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    events: { type: 'string' },
    publish: { type: 'string' },
    'paced-seconds': { type: 'string' },
    publishers: { type: 'string' },
    sse: { type: 'string' },
    fresh: { type: 'boolean', default: false },
  },
});
/** @param {string} name @param {string | undefined} text @param {number} fallback */
function count(name, text, fallback) {
  if (text === undefined) return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(
      `bench:history: --${name} must be a positive integer; got ${JSON.stringify(text)}\n`,
    );
    process.exit(2);
  }
  return value;
}
const quick = flags.quick === true;
const GENERATED = count('events', flags.events, quick ? 1_000_000 : 10_000_000);
const PUBLISH = count('publish', flags.publish, quick ? 300_000 : 1_000_000);
const PACED_SECONDS = count('paced-seconds', flags['paced-seconds'], quick ? 5 : 15);
const PUBLISHERS = count('publishers', flags.publishers, 2);
const SSE = Math.min(GENERATED, count('sse', flags.sse, quick ? 300_000 : 1_000_000));
const PACED_RATE = 10_000;

const rows = /** @type {[string, string][]} */ ([]);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
/** @param {string} name @param {string} value */
const row = (name, value) => {
  rows.push([name, value]);
  process.stderr.write(`${name}: ${value}\n`);
};

/** @param {number[]} values @param {number} q */
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

/** CPU seconds this process's main thread (the broker's event loop) has used (Linux). */
function mainThreadCpu() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
const processCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Measures CPU (main thread, whole process), event-loop delay and wall time around `work`. */
async function measured(/** @type {() => Promise<number>} */ work) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const cpu0 = [mainThreadCpu(), processCpu()];
  const elu0 = performance.eventLoopUtilization();
  const loadBefore = load();
  delay.enable();
  const started = performance.now();
  const events = await work();
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const main = mainThreadCpu() - (cpu0[0] ?? 0);
  const whole = processCpu() - (cpu0[1] ?? 0);
  return {
    events,
    seconds,
    rate: Math.round(events / seconds),
    p99: delay.percentile(99) / 1e6,
    max: delay.max / 1e6,
    mainUs: (main / events) * 1e6,
    processUs: (whole / events) * 1e6,
    elu,
    load: loadBefore,
  };
}
/** @param {Awaited<ReturnType<typeof measured>>} m */
const cpuText = (m) =>
  `CPU ${m.mainUs.toFixed(1)} µs/event on the event loop, ${m.processUs.toFixed(1)} µs/event whole process (ELU ${(m.elu * 100).toFixed(0)}%; load ${m.load})`;

/**
 * Starts a load process (history-client.mjs). `nextMessage()` resolves with each message it sends
 * in turn: `{ ready }` once it can start (it then waits for `go`), then its report.
 * @param {string[]} args
 */
function spawnLoad(args) {
  const child = fork(new URL('./history-client.mjs', import.meta.url), args, { stdio: 'inherit' });
  /** @type {unknown[]} */
  const messages = [];
  /** @type {((message: unknown) => void)[]} */
  const waiting = [];
  child.on('message', (message) => {
    const next = waiting.shift();
    if (next) next(message);
    else messages.push(message);
  });
  const failed = new Promise((_, reject) =>
    child.once(
      'exit',
      (code) => code !== 0 && reject(new Error(`history-client ${args[0]} exited with ${code}`)),
    ),
  );
  /** @returns {Promise<any>} */
  const nextMessage = () =>
    Promise.race([
      messages.length > 0
        ? Promise.resolve(messages.shift())
        : new Promise((resolve) => waiting.push(resolve)),
      failed,
    ]);
  return { child, nextMessage };
}

/** @param {string} http @param {string} id */
async function archived(http, id) {
  for (;;) {
    const res = await fetch(`${http}/v1/events/${id}`);
    await res.arrayBuffer();
    if (res.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** @param {string} path */
const diskBytes = (path) =>
  ['', '-wal', '-shm']
    .map((s) => `${path}${s}`)
    .filter(existsSync)
    .reduce((sum, f) => sum + statSync(f).size, 0);

/** Search keys by CloudEvents type, as the broker declares them (archive.ts `declaredKeys`). */
function declaredKeys() {
  /** @type {Record<string, Record<string, string>>} */
  const keys = {};
  for (const service of services)
    for (const type of service.eventTypes) keys[type.type] = { ...keys[type.type], ...type.keys };
  return keys;
}

const account = { gerrit: { password: await hashPassword('pw'), write: ['gerrit/#', 'site/#'] } };
const TEN_YEARS = 315_360_000;

// 1–2: MQTT into a fresh archive.
{
  const dir = mkdtempSync(join(tmpdir(), 'firehose-history-bench-'));
  const path = join(dir, 'archive.sqlite');
  const broker = await createBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
    accounts: account,
    history: { enabled: true, path, queue: 1_000_000 },
    sys: { interval: 0 },
    catalogue: { interval: 0 },
  });
  await broker.listen();
  const http = /** @type {string} */ (broker.url('http'));
  const url = /** @type {string} */ (broker.url('mqtt'));

  /**
   * Publishes [first, first + total) from PUBLISHERS processes at `rate` msg/s in all (0: flat out),
   * measured from the moment all are connected until the archive holds each one's last event.
   */
  async function publish(first, total, rate) {
    const share = Math.floor(total / PUBLISHERS);
    const loads = Array.from({ length: PUBLISHERS }, (_, n) =>
      spawnLoad([
        'publish',
        url,
        String(first + n * share),
        String(share),
        String(rate / PUBLISHERS),
        `bench-${n}`,
      ]),
    );
    await Promise.all(loads.map(({ nextMessage }) => nextMessage()));
    return measured(async () => {
      for (const { child } of loads) child.send('go');
      await Promise.all(loads.map(({ nextMessage }) => nextMessage()));
      await Promise.all(
        Array.from({ length: PUBLISHERS }, (_, n) => archived(http, `bench-${first + (n + 1) * share - 1}`)),
      );
      return share * PUBLISHERS;
    });
  }

  const flat = await publish(0, PUBLISH, 0);
  row(
    'archive rate, publishers flat out',
    `${flat.rate} events/s archived (${flat.events} in ${flat.seconds.toFixed(1)} s); event-loop delay p99 ${flat.p99.toFixed(1)} ms`,
  );
  row('  broker CPU', cpuText(flat));
  const paced = await publish(PUBLISH, PACED_RATE * PACED_SECONDS, PACED_RATE);
  row(
    `${PACED_RATE} msg/s paced for ${PACED_SECONDS} s`,
    `event-loop delay p99 ${paced.p99.toFixed(1)} ms (max ${paced.max.toFixed(1)}), ${paced.rate} events/s archived`,
  );
  row('  broker CPU', cpuText(paced));
  const total = flat.events + paced.events;
  const bytes = diskBytes(path);
  // The WAL is a fixed size once it first reaches wal_autocheckpoint (~40 MB), not a cost per event.
  const wal = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
  row(
    'disk, MQTT archive',
    `${Math.round((bytes - wal) / total)} bytes/event without the WAL, ${Math.round(bytes / total)} with it (${(bytes / 1e6).toFixed(1)} MB for ${total} events of ~330 bytes, the WAL ${(wal / 1e6).toFixed(1)} MB of it)`,
  );
  row('  overflow (history_overflow)', String(broker.stats.droppedCount('history_overflow')));
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
}

// 3. The generated archive, cached: the file name says what it holds; a partial one is never used.
const GENERATOR = 1; // bump when generatedEvent() or the span changes
const cacheDir = join(tmpdir(), 'firehose-history-bench-cache');
mkdirSync(cacheDir, { recursive: true });
const cached = join(cacheDir, `archive-${GENERATED}-g${GENERATOR}.sqlite`);
const SPAN_MS = 7 * 86_400_000;
if (flags.fresh === true) for (const s of ['', '-wal', '-shm']) rmSync(`${cached}${s}`, { force: true });
if (!existsSync(cached)) {
  const partial = `${cached}.partial`;
  for (const s of ['', '-wal', '-shm']) rmSync(`${partial}${s}`, { force: true });
  const { db } = openForWriting(partial);
  const write = batchWriter(db, keyPathsOf(declaredKeys()));
  // Numbered as a broker run would be, one run before any the broker takes next.
  const run = Math.floor((Date.now() - Date.UTC(2025, 0, 1)) / 60_000) - 1;
  db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES ('run', ?)").run(BigInt(run));
  const base = BigInt(run) << 39n;
  const newest = Date.now();
  const BATCH = 10_000;
  const cpu0 = processCpu();
  const started = performance.now();
  let writing = 0;
  for (let from = 0; from < GENERATED; from += BATCH) {
    const n = Math.min(BATCH, GENERATED - from);
    const seqs = new Array(n);
    const times = new Array(n);
    const topics = new Array(n);
    const payloads = new Array(n);
    for (let k = 0; k < n; k++) {
      const i = from + k;
      const time = newest - SPAN_MS + Math.floor((i / GENERATED) * SPAN_MS);
      const { topic, payload } = generatedEvent(i, new Date(time).toISOString());
      seqs[k] = base + BigInt(i + 1);
      times[k] = time;
      topics[k] = topic;
      payloads[k] = Buffer.from(payload);
    }
    const bytes = Buffer.concat(payloads);
    const ends = new Uint32Array(n);
    let end = 0;
    payloads.forEach((p, k) => (ends[k] = end += p.length));
    const t = performance.now();
    write([{ seqs, times, topics, ends, bytes }]);
    writing += performance.now() - t;
    if (from % 1_000_000 === 0 && from > 0)
      process.stderr.write(
        `generating: ${from} of ${GENERATED} (${Math.round(from / ((performance.now() - started) / 1000))} events/s)\n`,
      );
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const seconds = (performance.now() - started) / 1000;
  row(
    'generated archive (bulk, one thread)',
    `${GENERATED} events in ${seconds.toFixed(0)} s: ${Math.round(GENERATED / seconds)} events/s, ${(((processCpu() - cpu0) / GENERATED) * 1e6).toFixed(1)} µs CPU/event; the write path alone ${((writing * 1000) / GENERATED).toFixed(1)} µs/event = ${Math.round(GENERATED / (writing / 1000))} events/s (load ${load()})`,
  );
  renameSync(partial, cached);
  for (const s of ['-wal', '-shm']) rmSync(`${partial}${s}`, { force: true });
}

{
  const opening = performance.now();
  const broker = await createBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
    accounts: account,
    history: { enabled: true, path: cached, queue: 1_000_000, retention: { maxAge: TEN_YEARS, maxBytes: 0 } },
    sys: { interval: 0 },
    catalogue: { interval: 0 },
  });
  await broker.listen();
  row(
    'broker start on the generated archive',
    `${((performance.now() - opening) / 1000).toFixed(1)} s (a format migration included, if the file needed one)`,
  );
  const http = /** @type {string} */ (broker.url('http'));
  /** @param {string} query */
  const page = async (query) => {
    const res = await fetch(`${http}/v1/events?${query}`);
    return /** @type {{ events: { cursor: string; event: { time: string } }[]; next: string | null }} */ (
      await res.json()
    );
  };
  const newest = Date.parse((await page('limit=1')).events[0]?.event.time ?? '');
  const first = (await page('order=asc&limit=1')).events[0]?.cursor ?? '0000000000000000';
  const iso = (/** @type {number} */ ms) => encodeURIComponent(new Date(ms).toISOString());
  const HOUR = 3_600_000;
  const lastHour = `from=${iso(newest - HOUR)}&to=${iso(newest)}`;
  const oldHour = `from=${iso(newest - 6 * 24 * HOUR - HOUR)}&to=${iso(newest - 6 * 24 * HOUR)}`;
  const filters = {
    'newest 100': '',
    service: 'service=site',
    type: 'type=gerrit.comment-added',
    'declared key, common (project)': 'project=openstack/p8',
    'declared key, rare (change)': 'change=912345',
    'topic filter, wildcard': 'topic=gerrit/openstack/p8/%23',
    'topic, exact': 'topic=site/openstack/p7/comment',
    'rare topic over the whole range': `topic=${RARE_TOPIC}`,
    'rare type over the whole range': 'type=site.rare',
    'time window, last hour': lastHour,
    'time window, an hour 6 days back + type': `${oldHour}&type=site.comment`,
    'where predicate (server-side)': `where=${encodeURIComponent('data.author.username = user5')}`,
    'key + type + time window': `project=openstack/p8&type=gerrit.comment-added&${oldHour}`,
    'topic filter + key': 'topic=gerrit/openstack/p9/%23&user=user9',
    'service + where': `service=site&where=${encodeURIComponent('data.author = user5')}`,
    'asc, 1000 per page': 'order=asc&limit=1000',
  };
  for (const [name, query] of Object.entries(filters)) {
    const times = [];
    let next = null;
    let found = 0;
    let ended = 0;
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const body = await page(`${query}${next && i % 5 !== 0 ? `&cursor=${next}` : ''}`);
      times.push(performance.now() - t);
      found += body.events.length;
      if (body.next === null) ended++;
      next = body.next;
    }
    row(
      `page: ${name}`,
      `p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms (${found} events in 20 pages${ended > 0 ? `, ${ended} reached the end` : ''})`,
    );
  }

  // 4. SSE catch-up from the first event, to a reader in another process.
  const before = (BigInt(`0x${first}`) - 1n).toString(16).padStart(16, '0');
  const reader = spawnLoad(['sse', `${http}/v1/stream?since=${before}`, String(SSE)]);
  await reader.nextMessage();
  const sse = await measured(async () => {
    reader.child.send('go');
    const { received } = /** @type {{ received: number }} */ (await reader.nextMessage());
    return received;
  });
  row('SSE catch-up to one reader', `${sse.rate} events/s (${sse.events} in ${sse.seconds.toFixed(1)} s)`);
  row('  broker CPU', cpuText(sse));
  const bytes = diskBytes(cached);
  row(
    'disk, generated archive',
    `${Math.round(bytes / GENERATED)} bytes/event (${(bytes / 1e9).toFixed(2)} GB for ${GENERATED} events of ~350 bytes, 4 declared keys on 3 in 4)`,
  );
  await broker.close();
}

const width = Math.max(...rows.map(([name]) => name.length));
process.stdout.write(
  `\nhistory bench (${PUBLISH} + ${PACED_RATE * PACED_SECONDS} events over MQTT from ${PUBLISHERS} processes, ${GENERATED} generated, ${PROJECTS} projects; ${quick ? '--quick; ' : ''}load at the end ${load()})\n`,
);
for (const [name, value] of rows) process.stdout.write(`${name.padEnd(width)}  ${value}\n`);
process.stdout.write(`cached archive: ${cached} (delete it, or pass --fresh, to regenerate)\n`);
