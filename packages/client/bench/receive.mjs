// Receive-side benchmark: how many messages/s a @firehose/client subscriber handles (envelope parse,
// dedupe, schema validation, topic params, typed dispatch) against a raw MQTT.js subscriber on the
// same byte stream, in the same run. Runs the built packages under plain Node:
//   pnpm --filter @firehose/client bench
// Prints figures only; asserts nothing. Env: BENCH_MESSAGES (50000), BENCH_ROUNDS (5), BENCH_ORDER
// (comma-separated order of raw, raw+JSON.parse, firehose, firehose+dedupe within a round).
//
// Two streams:
// 1. replay — a loopback server that answers CONNECT/SUBSCRIBE and then writes N pre-encoded QoS 0
//    PUBLISH packets as fast as the socket takes them, so the subscriber is the bottleneck and the
//    figure is the client's own capacity. Both clients get byte-identical streams.
// 2. broker — a real @firehose/broker (memory persistence) fanning a publisher's QoS 0 stream out to
//    both subscribers at once; here the broker is usually the bottleneck, so CPU time per message in
//    the subscriber process is the comparable figure.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createBroker } from '@firehose/broker';
import { connect } from '@firehose/client';
import { createServiceEvent, gerrit } from '@firehose/schema';
import mqtt from 'mqtt';

const N = Number(process.env.BENCH_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const fixture = JSON.parse(
  readFileSync(
    fileURLToPath(import.meta.resolve('@firehose/schema/fixtures/gerrit/comment-added.json')),
    'utf8',
  ),
);
const projects = ['openstack/nova', 'openstack/neutron', 'All-Projects', 'starlingx/config/files'];
// Distinct ids (dedupe must not drop them) and a few projects (topic parsing does real work).
const messages = Array.from({ length: 1000 }, (_, i) => {
  const project = projects[i % projects.length];
  const data = { ...fixture.data, change: { ...fixture.data.change, project, number: 900_000 + i } };
  const event = createServiceEvent(gerrit.commentAdded, data, { id: `bench-${i}` });
  return { topic: gerrit.commentAdded.topic({ project }), payload: Buffer.from(JSON.stringify(event)) };
});
const payloadBytes = messages[0].payload.length;

// ---- MQTT 3.1.1 framing for the replay server [MQTT-2.2.3] ----
function remainingLength(n) {
  const bytes = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}
function publishPacket(topic, payload, id) {
  const topicBytes = Buffer.from(topic);
  const body = Buffer.concat([
    Buffer.from([topicBytes.length >> 8, topicBytes.length & 0xff]),
    topicBytes,
    payload,
  ]);
  void id;
  return Buffer.concat([Buffer.from([0x30]), remainingLength(body.length), body]);
}

/** Unique ids per packet so the firehose client's dedupe window never drops one. */
function buildStream(count) {
  const chunks = [];
  for (let i = 0; i < count; i++) {
    const base = messages[i % messages.length];
    const payload = Buffer.from(base.payload.toString().replace(/"id":"bench-\d+"/, `"id":"bench-${i}"`));
    chunks.push(publishPacket(base.topic, payload, i));
  }
  return Buffer.concat(chunks);
}

async function replayServer(stream) {
  const server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    let sent = false;
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        let multiplier = 1;
        let length = 0;
        let offset = 1;
        let byte;
        do {
          byte = buffered[offset++];
          length += (byte & 0x7f) * multiplier;
          multiplier *= 128;
        } while (byte & 0x80 && offset < buffered.length);
        if (buffered.length < offset + length) return;
        const type = buffered[0] >> 4;
        const packet = buffered.subarray(offset, offset + length);
        buffered = buffered.subarray(offset + length);
        if (type === 1) socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNECT → CONNACK
        if (type === 8) {
          // SUBSCRIBE → SUBACK granting QoS 0 for each filter, then the stream once.
          let filters = 0;
          for (let at = 2; at < packet.length;) {
            at += 2 + packet.readUInt16BE(at) + 1;
            filters++;
          }
          socket.write(
            Buffer.concat([Buffer.from([0x90, 2 + filters, packet[0], packet[1]]), Buffer.alloc(filters)]),
          );
          if (!sent) {
            sent = true;
            setTimeout(() => writeAll(socket, stream), 50);
          }
        }
        if (type === 12) socket.write(Buffer.from([0xd0, 0x00])); // PINGREQ → PINGRESP
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function writeAll(socket, stream) {
  let offset = 0;
  const step = 1 << 20;
  const pump = () => {
    while (offset < stream.length) {
      const ok = socket.write(stream.subarray(offset, offset + step));
      offset += step;
      if (!ok) return void socket.once('drain', pump);
    }
  };
  pump();
}

function stopwatch() {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  return () => {
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
  };
}

/** Resolves with timings once `count` messages arrived. */
function counter(count) {
  let seen = 0;
  let first;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  return {
    hit() {
      if (seen === 0) first = stopwatch();
      if (++seen === count) resolve(first());
    },
    done,
    get seen() {
      return seen;
    },
  };
}

async function rawSubscriber(url, count, filters, parse = false) {
  const c = counter(count);
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  // `parse`: what the least a hand-rolled consumer does with a JSON payload.
  client.on(
    'message',
    parse
      ? (_topic, payload) => JSON.parse(payload.toString()).data.change.number > 0 && c.hit()
      : () => c.hit(),
  );
  await client.subscribeAsync(filters, { qos: 0 });
  return { c, close: () => client.endAsync(true) };
}

async function firehoseSubscriber(url, count, target, options = {}) {
  const c = counter(count);
  const client = await connect(url, options);
  await client.subscribe(
    target,
    (received) => {
      // Touch typed data as a handler would.
      if (received.event.data.change.number > 0) c.hit();
    },
    { qos: 0 },
  );
  return { c, close: () => client.close(), client };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const rssMiB = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);

/** The replay server runs in a child process, so the subscriber's process does nothing else. */
async function startReplayChild(count) {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_REPLAY_SERVER: String(count) },
  });
  const port = await new Promise((resolve) => child.once('message', resolve));
  return { url: `mqtt://127.0.0.1:${port}`, stop: () => child.kill() };
}

const RAW_FILTERS = ['gerrit/+/comment-added', 'gerrit/+/+/comment-added', 'gerrit/+/+/+/comment-added'];

async function replayRound(url, count) {
  const results = {};
  for (const kind of (process.env.BENCH_ORDER ?? 'raw,raw+JSON.parse,firehose,firehose+dedupe').split(',')) {
    const sub = kind.startsWith('firehose')
      ? await firehoseSubscriber(url, count, gerrit.commentAdded, { dedupe: kind === 'firehose+dedupe' })
      : await rawSubscriber(url, count, RAW_FILTERS, kind === 'raw+JSON.parse');
    results[kind] = await sub.c.done;
    if (sub.client && sub.client.stats.invalid > 0)
      throw new Error(`${sub.client.stats.invalid} messages were invalid`);
    await sub.close();
  }
  return results;
}

async function brokerRun(count) {
  const broker = await createBroker({
    listeners: { mqtt: { host: '127.0.0.1', port: 0 } },
    anonymous: { write: ['gerrit/#'] },
    validation: { enabled: false }, // measure delivery, not the broker's own validation
    catalogue: { interval: 0 },
    sys: { interval: 0 },
  });
  await broker.listen();
  const url = broker.url('mqtt');
  const raw = await rawSubscriber(url, count, RAW_FILTERS, true);
  const fh = await firehoseSubscriber(url, count, gerrit.commentAdded);
  const publisher = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const allCpu = stopwatch();
  for (let i = 0; i < count; i++) {
    const base = messages[i % messages.length];
    const payload = Buffer.from(base.payload.toString().replace(/"id":"bench-\d+"/, `"id":"live-${i}"`));
    if (!publisher.publish(base.topic, payload, { qos: 0 })) await new Promise((r) => setImmediate(r));
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  const [r, f] = await Promise.all([raw.c.done, fh.c.done]);
  const total = allCpu();
  await publisher.endAsync(true);
  await raw.close();
  await fh.close();
  await broker.close();
  return { raw: r, firehose: f, total };
}

if (process.env.BENCH_REPLAY_SERVER) {
  const server = await replayServer(buildStream(Number(process.env.BENCH_REPLAY_SERVER)));
  process.send(server.address().port);
} else {
  await main();
}

async function main() {
  console.log(
    `@firehose/client receive benchmark — ${fmt(N)} gerrit.comment-added events of ${payloadBytes} B, Node ${process.version}, ${ROUNDS} rounds`,
  );
  const replay = await startReplayChild(N);
  const rate = { raw: [], 'raw+JSON.parse': [], firehose: [], 'firehose+dedupe': [] };
  const cpu = { raw: [], 'raw+JSON.parse': [], firehose: [], 'firehose+dedupe': [] };
  for (let round = 1; round <= ROUNDS; round++) {
    const results = await replayRound(replay.url, N);
    const parts = [];
    for (const [kind, t] of Object.entries(results)) {
      rate[kind].push(N / t.wall);
      cpu[kind].push((t.cpu / N) * 1e6);
      parts.push(`${kind} ${fmt(N / t.wall)} msg/s (${((t.cpu / N) * 1e6).toFixed(1)} µs CPU/msg)`);
    }
    console.log(`replay round ${round}: ${parts.join(' | ')} | RSS ${rssMiB()} MiB`);
  }
  replay.stop();
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fh = median(rate.firehose);
  const parsed = median(rate['raw+JSON.parse']);
  console.log(
    `replay medians (wall): raw ${fmt(median(rate.raw))}, raw+JSON.parse ${fmt(parsed)}, firehose ${fmt(fh)}, ` +
      `firehose+dedupe ${fmt(median(rate['firehose+dedupe']))} msg/s; firehose/raw+JSON.parse ${(fh / parsed).toFixed(2)}×, ` +
      `firehose/raw ${(fh / median(rate.raw)).toFixed(2)}×`,
  );
  // CPU per message is steadier than wall time on a shared machine: capacity = 1 s / CPU per message.
  const us = (kind) => median(cpu[kind]);
  const ratio = (a, b) => (us(b) / us(a)).toFixed(2);
  console.log(
    `replay medians (CPU): raw ${us('raw').toFixed(1)} µs, raw+JSON.parse ${us('raw+JSON.parse').toFixed(1)} µs, ` +
      `firehose ${us('firehose').toFixed(1)} µs, firehose+dedupe ${us('firehose+dedupe').toFixed(1)} µs per message → ` +
      `capacity ratio vs raw+JSON.parse: firehose ${ratio('firehose', 'raw+JSON.parse')}× (target ≥ 0.80×), ` +
      `firehose+dedupe ${ratio('firehose+dedupe', 'raw+JSON.parse')}×; firehose vs raw ${ratio('firehose', 'raw')}×`,
  );

  const live = Math.min(N, 50_000);
  const { raw, firehose, total } = await brokerRun(live);
  console.log(
    `broker fan-out (${fmt(live)} msgs, both subscribers at once, broker and publisher in-process): raw+JSON.parse ${fmt(live / raw.wall)} msg/s, ` +
      `firehose ${fmt(live / firehose.wall)} msg/s, ratio ${(raw.wall / firehose.wall).toFixed(2)}×; process CPU ${total.cpu.toFixed(1)} s over ${total.wall.toFixed(1)} s | RSS ${rssMiB()} MiB`,
  );
  process.exit(0);
}
