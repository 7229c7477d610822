// @ts-check
// `pnpm bench:history`'s load, in a process of its own (child_process.fork by history.mjs), so that
// the broker's process spends its CPU on the broker only. Two roles, by argv[2]:
//   publish <mqtt url> <first> <count> <rate msg/s, 0: flat out> <client id>
//   sse <stream url> <count>
// Each says { ready } once started (a publisher: connected) and begins at the parent's `go`; each reports one
// message to its parent over IPC when done, then exits.
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { benchEvent } from './history-events.mjs';

const [role, url = '', ...rest] = process.argv.slice(2);
/** @param {unknown} message */
const report = (message) => process.send?.(message, () => process.exit(0));

if (role === 'publish') {
  const [first, count, rate, clientId] = [Number(rest[0]), Number(rest[1]), Number(rest[2]), rest[3]];
  const client = await mqtt.connectAsync(url, { username: 'gerrit', password: 'pw', clientId });
  // Connected: the parent starts its clock and says go.
  await new Promise((resolve) => {
    process.once('message', resolve);
    process.send?.({ ready: true });
  });
  const started = performance.now();
  for (let i = first; i < first + count; i++) {
    const { topic, payload } = benchEvent(i);
    client.publish(topic, payload, { qos: 0 });
    if (i % 100 === 99) {
      // Paced: wait for the next slot; flat out: let the socket drain (TCP backpressure is the pace).
      const due = rate > 0 ? started + ((i - first + 1) / rate) * 1000 : 0;
      const wait = due - performance.now();
      await new Promise((resolve) => (wait > 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
      const stream = /** @type {{ stream?: import('node:net').Socket }} */ (client).stream;
      if (stream?.writableNeedDrain) await new Promise((resolve) => stream.once('drain', resolve));
    }
  }
  await client.endAsync();
  report({ published: count, seconds: (performance.now() - started) / 1000 });
} else if (role === 'sse') {
  const count = Number(rest[0]);
  await new Promise((resolve) => {
    process.once('message', resolve);
    process.send?.({ ready: true });
  });
  const started = performance.now();
  const res = await fetch(url);
  const reader = /** @type {ReadableStream<Uint8Array>} */ (res.body).getReader();
  let received = 0;
  let firstAt = 0;
  // Counts `id: ` lines without decoding: the reader's cost should not be what is measured.
  const ID = [10, 105, 100, 58, 32]; // "\nid: "
  let matched = 0;
  while (received < count) {
    const { value, done } = await reader.read();
    if (done) break;
    if (firstAt === 0) firstAt = performance.now();
    for (const byte of value) {
      matched = byte === ID[matched] ? matched + 1 : byte === 10 ? 1 : 0;
      if (matched === ID.length) {
        received++;
        matched = 0;
      }
    }
  }
  const ended = performance.now();
  await reader.cancel().catch(() => undefined);
  report({ received, seconds: (ended - started) / 1000, firstByteMs: firstAt - started });
} else {
  process.stderr.write(`history-client: the first argument must be publish or sse; got ${role}\n`);
  process.exit(2);
}
