// @ts-check
// `pnpm bench:history`: the history archive's figures on this machine (prints them, asserts nothing).
// Runs the built broker (dist/) with history on, over loopback MQTT and HTTP:
//   1. archive rate: publishers flat out; events/s archived, and the event loop's delay p99 meanwhile;
//   2. the same at a paced 10,000 msg/s: event-loop delay p99 (the issue's target: < 10 ms);
//   3. page latency over the generated archive (HISTORY_BENCH_EVENTS events, default 200,000: about a
//      minute here): p50/p95 per filter, a rare topic over the whole range and combinations included;
//   4. SSE catch-up from the first cursor to one reader: events/s;
//   5. disk bytes per event (database + WAL).
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createBroker, hashPassword } from '@firehose/broker';
import mqtt from 'mqtt';

const EVENTS = Number(process.env.HISTORY_BENCH_EVENTS ?? 200_000);
const PROJECTS = 200;
const dir = mkdtempSync(join(tmpdir(), 'firehose-history-bench-'));
const path = join(dir, 'archive.sqlite');

const broker = await createBroker({
  listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
  accounts: { gerrit: { password: await hashPassword('pw'), write: ['gerrit/#', 'site/#'] } },
  history: { enabled: true, path, queue: 1_000_000 },
  sys: { interval: 0 },
  catalogue: { interval: 0 },
});
await broker.listen();
const http = /** @type {string} */ (broker.url('http'));
const url = /** @type {string} */ (broker.url('mqtt'));

/** @param {number} i */
function event(i) {
  const project = `openstack/p${i % PROJECTS}`;
  // One event in 10,000 on a rare topic, spread over the whole range.
  const rare = i % 10_000 === 5_000;
  return {
    topic: rare ? 'site/rare/event' : `site/${project}/comment`,
    payload: JSON.stringify({
      specversion: '1.0',
      id: `bench-${i}`,
      source: 'https://bench.invalid',
      type: rare ? 'site.rare' : 'site.comment',
      time: new Date().toISOString(),
      data: { project, change: 900_000 + (i % 50_000), author: `user${i % 997}`, text: 'x'.repeat(120) },
    }),
  };
}

/** @param {string} id */
async function archived(id) {
  for (;;) {
    const res = await fetch(`${http}/v1/events/${id}`);
    await res.arrayBuffer();
    if (res.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** @param {number[]} values @param {number} q */
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

const rows = [];
const publishers = await Promise.all(
  [1, 2].map((n) =>
    mqtt.connectAsync(url, { username: 'gerrit', password: 'pw', clientId: `gerrit-bench-${n}` }),
  ),
);

/** Publishes events [from, to) from both publishers, at most `rate` msg/s (0: flat out). */
async function publish(from, to, rate) {
  const started = performance.now();
  for (let i = from; i < to; i++) {
    const { topic, payload } = event(i);
    publishers[i % 2]?.publish(topic, payload, { qos: 0 });
    if (i % 200 === 199) {
      if (rate > 0) {
        const due = started + ((i - from) / rate) * 1000;
        const wait = due - performance.now();
        await new Promise((resolve) => (wait > 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
      } else await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

// 1. Flat out: the whole generated archive.
let delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let started = performance.now();
await publish(0, EVENTS, 0);
await archived(`bench-${EVENTS - 1}`);
let seconds = (performance.now() - started) / 1000;
delay.disable();
rows.push([
  'archive rate, publishers flat out',
  `${Math.round(EVENTS / seconds)} events/s archived (${EVENTS} in ${seconds.toFixed(1)} s)`,
]);
rows.push(['  event-loop delay p99 meanwhile', `${(delay.percentile(99) / 1e6).toFixed(1)} ms`]);

// 2. Paced at 10,000 msg/s for 5 s.
const paced = 50_000;
delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
started = performance.now();
await publish(EVENTS, EVENTS + paced, 10_000);
await archived(`bench-${EVENTS + paced - 1}`);
seconds = (performance.now() - started) / 1000;
delay.disable();
rows.push([
  '10,000 msg/s paced',
  `event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, ${Math.round(paced / seconds)} events/s archived`,
]);
const total = EVENTS + paced;

// 3. Pages.
const filters = {
  'newest 100': '',
  'by service, desc': 'service=site',
  'by declared key? (none declared for site.*): by topic filter': 'topic=site/openstack/p7/%23',
  'rare topic over the whole range': 'topic=site/rare/event',
  'rare type over the whole range': 'type=site.rare',
  'type + topic combination': 'type=site.comment&topic=site/openstack/p9/%23',
  'time window (-1h to now) + type': 'type=site.comment&from=-1h',
  'where predicate (server-side)': `where=${encodeURIComponent('data.author = user5')}`,
  'asc from a cursor (page 2)': 'order=asc&limit=1000',
};
for (const [name, query] of Object.entries(filters)) {
  const times = [];
  let next = null;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const res = await fetch(`${http}/v1/events?${query}${next && i % 5 !== 0 ? `&cursor=${next}` : ''}`);
    const body = /** @type {{ next: string | null }} */ (await res.json());
    times.push(performance.now() - t);
    next = body.next;
  }
  rows.push([
    `page: ${name}`,
    `p50 ${quantile(times, 0.5).toFixed(1)} ms, p95 ${quantile(times, 0.95).toFixed(1)} ms`,
  ]);
}

// 4. SSE catch-up from the first cursor.
started = performance.now();
const res = await fetch(`${http}/v1/stream?since=0000000000000000`);
const reader = /** @type {ReadableStream<Uint8Array>} */ (res.body).getReader();
const decoder = new TextDecoder();
let received = 0;
let carry = '';
while (received < total) {
  const { value, done } = await reader.read();
  if (done) break;
  const text = carry + decoder.decode(value, { stream: true });
  const parts = text.split('\n\n');
  carry = parts.pop() ?? '';
  for (const part of parts) if (part.startsWith('id: ')) received++;
}
seconds = (performance.now() - started) / 1000;
await reader.cancel();
rows.push([
  'SSE catch-up to one reader',
  `${Math.round(received / seconds)} events/s (${received} in ${seconds.toFixed(1)} s)`,
]);

// 5. Disk.
const bytes = ['', '-wal', '-shm']
  .map((s) => `${path}${s}`)
  .filter(existsSync)
  .reduce((sum, f) => sum + statSync(f).size, 0);
rows.push([
  'disk',
  `${Math.round(bytes / total)} bytes/event (${(bytes / 1e6).toFixed(1)} MB for ${total} events of ~330 bytes)`,
]);

for (const p of publishers) await p.endAsync();
await broker.close();
rmSync(dir, { recursive: true, force: true });
const width = Math.max(...rows.map(([name]) => name.length));
process.stdout.write(`history bench (${total} events, ${PROJECTS} projects)\n`);
for (const [name, value] of rows) process.stdout.write(`${name.padEnd(width)}  ${value}\n`);
