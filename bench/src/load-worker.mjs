// A load process (forked by run.mjs, several per scenario): it holds subscriber, publisher and idle
// connections and is driven over IPC. Latency is measured on CLOCK_MONOTONIC, which every process
// on the machine shares, into an HDR histogram (µs) sent back encoded.
import hdr from 'hdr-histogram-js';
import {
  nowMicros,
  openConnection,
  puback,
  publishId,
  publishTemplate,
  readStamp,
  stamp,
  subscribe,
} from './wire.mjs';

const send = (message) => process.send?.(message);
const newHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let histogram = newHistogram();
let delivered = 0;
let frozenDelivered = 0;
let first = 0;
let last = 0;
const subscribers = [];
const publishers = [];
const idle = [];
let templates = [];
let probe;
/** Deliveries the subscriber process reported (fan-in's closed loop, relayed by run.mjs). */
let remote = { delivered: 0, waiter: null };
let reportProgress = false;

/** A subscriber connection: counts PUBLISH packets, records their latency, acknowledges QoS 1. */
function watch(conn, { frozen = false, onPublish } = {}) {
  conn.onPacket = (type, flags, buf, start, end) => {
    if (type !== 3) return;
    const t = nowMicros();
    if (frozen) frozenDelivered++;
    else {
      if (delivered === 0) first = t;
      delivered++;
      last = t;
      const sentAt = readStamp(buf, start, end);
      if (sentAt > 0) histogram.recordValue(Math.max(1, t - sentAt));
      if (reportProgress && delivered % 100 === 0) send({ type: 'progress', delivered });
    }
    if ((flags & 0x06) !== 0) conn.write(puback(publishId(buf, start)));
    onPublish?.();
  };
}

async function inBatches(count, open) {
  const out = [];
  for (let i = 0; i < count; i += 50) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)))));
  }
  return out;
}

async function setup(plan) {
  const tag = `${plan.name}-${process.pid}`;
  reportProgress = plan.reportProgress === true;
  const target = { port: plan.port, url: plan.url };
  // Subscribers first, so publishers never send into a half-subscribed broker.
  const subs = await inBatches(plan.subscribers?.length ?? 0, async (i) => {
    const spec = plan.subscribers[i];
    const conn = await openConnection({
      ...target,
      url: spec.tcp ? undefined : plan.url,
      clientId: `${tag}-sub-${i}`,
    });
    watch(conn, { frozen: spec.frozen });
    await subscribe(conn, spec.filters, spec.qos ?? 0);
    return { conn, spec };
  });
  subscribers.push(...subs);
  templates = (plan.templates ?? []).map((t) => ({
    ...publishTemplate(t.topic, Buffer.from(t.payload, 'base64'), plan.qos ?? 0),
    deliveries: t.deliveries,
  }));
  if (plan.probe) {
    // The probe is one of the counted subscribers, in the publisher's process: the publisher keeps at
    // most `window` messages between sending and the probe receiving them (a closed loop, so no
    // broker's queues grow without bound and the rate is what the broker sustains).
    const conn = await openConnection({ port: plan.port, clientId: `${tag}-probe` });
    probe = { conn, received: 0, waiter: null };
    watch(conn, {
      onPublish: () => {
        probe.received++;
        const waiter = probe.waiter;
        probe.waiter = null;
        waiter?.();
      },
    });
    await subscribe(conn, [plan.probe], 0);
  }
  const pubs = await inBatches(plan.publishers ?? 0, (i) =>
    openConnection({
      port: plan.port,
      clientId: `${tag}-pub-${i}`,
      username: plan.login?.username,
      password: plan.login?.password,
    }),
  );
  publishers.push(...pubs);
  const idles = await inBatches(plan.idle ?? 0, (i) =>
    openConnection({ port: plan.port, clientId: `${tag}-idle-${i}` }),
  );
  idle.push(...idles);
}

function nextPacket(state, qos) {
  const template = templates[state.next++ % templates.length];
  const packet = Buffer.from(template.packet);
  if (qos > 0) {
    state.id = (state.id % 65535) + 1;
    packet.writeUInt16BE(state.id, template.idAt);
  }
  state.expected += template.deliveries;
  return { packet, template };
}

/** As fast as each publisher's socket takes them (QoS 0): batches, stamped, with TCP backpressure. */
async function runFlat(conn, endAt, state) {
  while (nowMicros() < endAt) {
    const parts = [];
    const t = nowMicros();
    for (let i = 0; i < 32; i++) {
      const { packet, template } = nextPacket(state, 0);
      stamp(packet, template.stampAt, t);
      parts.push(packet);
    }
    state.sent += parts.length;
    conn.write(Buffer.concat(parts));
    if (conn.writableLength() > 256 * 1024) await waitDrain(conn, endAt);
    else await new Promise((resolve) => setImmediate(resolve));
  }
}

function waitDrain(conn, endAt) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(1, (endAt - nowMicros()) / 1000));
    conn.socket?.once('drain', () => {
      clearTimeout(timer);
      resolve();
    });
    if (!conn.socket) setTimeout(resolve, 1);
  });
}

/**
 * QoS 0 in a closed loop across processes: this connection's share of at most `window` messages
 * between sending and the subscriber (another process) receiving them, whose count arrives over IPC.
 */
async function runRelayed(conn, endAt, state, window, share) {
  let allowance = 0;
  while (nowMicros() < endAt) {
    const due = Math.floor((remote.delivered + window) * share) + allowance - state.sent;
    if (due > 0) {
      const parts = [];
      const t = nowMicros();
      for (let i = 0; i < Math.min(due, 64); i++) {
        const { packet, template } = nextPacket(state, 0);
        stamp(packet, template.stampAt, t);
        parts.push(packet);
      }
      state.sent += parts.length;
      conn.write(Buffer.concat(parts));
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    const progressed = await Promise.race([
      new Promise((resolve) => {
        const previous = remote.waiter;
        remote.waiter = () => {
          previous?.();
          resolve(true);
        };
      }),
      sleep(2000).then(() => false),
    ]);
    // A QoS 0 message dropped on the way (a queue cap) must not stall the loop; 2 s without any
    // delivery is loss, not a loaded machine's scheduling.
    if (!progressed) allowance += Math.floor((window * share) / 2);
  }
}

/** QoS 1 with at most `window` unacknowledged messages per publisher. */
function runAcked(conn, endAt, state, window) {
  return new Promise((resolve) => {
    let inFlight = 0;
    let ending = false;
    const finish = () => {
      clearInterval(timer);
      resolve();
    };
    const fill = () => {
      if (nowMicros() >= endAt) ending = true;
      if (ending) {
        if (inFlight === 0) finish();
        return;
      }
      const parts = [];
      const t = nowMicros();
      while (inFlight < window) {
        const { packet, template } = nextPacket(state, 1);
        stamp(packet, template.stampAt, t);
        parts.push(packet);
        inFlight++;
        state.sent++;
      }
      if (parts.length > 0) conn.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    };
    conn.onPacket = (type) => {
      if (type !== 4) return;
      inFlight--;
      state.acked++;
      if (inFlight < window / 2 || ending) fill();
    };
    // Ends after the duration even if PUBACKs stop coming (a stalled broker), 10 s of grace (a
    // loaded machine delays acknowledgements by seconds).
    const timer = setInterval(() => {
      if (nowMicros() >= endAt + 10e6) finish();
      else fill();
    }, 50);
    fill();
  });
}

/** Keeps at most `window` messages between sending and the probe subscriber receiving them. */
async function runProbed(conn, endAt, state, window) {
  const base = probe.received;
  while (nowMicros() < endAt) {
    const parts = [];
    const t = nowMicros();
    while (state.sent - (probe.received - base) < window) {
      const { packet, template } = nextPacket(state, 0);
      stamp(packet, template.stampAt, t);
      parts.push(packet);
      state.sent++;
    }
    if (parts.length > 0) conn.write(Buffer.concat(parts));
    // A QoS 0 message the probe never gets (dropped by a queue cap) must not stall the loop.
    const progressed = await Promise.race([
      new Promise((resolve) => (probe.waiter = () => resolve(true))),
      sleep(2000).then(() => false),
    ]);
    if (!progressed) state.sent = probe.received - base + Math.floor(window / 2);
  }
}

/** A fixed total rate, spread over this worker's publishers, in 2 ms steps. */
async function runPaced(endAt, states, rate) {
  const start = nowMicros();
  let sent = 0;
  let turn = 0;
  while (nowMicros() < endAt) {
    const t = nowMicros();
    const due = Math.floor(((t - start) / 1e6) * rate);
    const batches = publishers.map(() => []);
    for (; sent < due; sent++) {
      const i = turn++ % publishers.length;
      const { packet, template } = nextPacket(states[i], 0);
      stamp(packet, template.stampAt, t);
      batches[i].push(packet);
      states[i].sent++;
    }
    batches.forEach((parts, i) => parts.length > 0 && publishers[i].write(Buffer.concat(parts)));
    await sleep(2);
  }
}

async function run({ mode, durationMs, window, rate, qos, share = 1 }) {
  remote = { delivered: 0, waiter: null };
  const endAt = nowMicros() + durationMs * 1000;
  const states = publishers.map(() => ({
    next: Math.floor(Math.random() * 1000),
    id: 0,
    sent: 0,
    acked: 0,
    expected: 0,
  }));
  const startedAt = nowMicros();
  if (mode === 'paced') await runPaced(endAt, states, rate);
  else
    await Promise.all(
      publishers.map((conn, i) => {
        if (mode === 'probe') return runProbed(conn, endAt, states[i], window);
        if (mode === 'relayed') return runRelayed(conn, endAt, states[i], window, share / publishers.length);
        if (qos > 0) return runAcked(conn, endAt, states[i], window);
        return runFlat(conn, endAt, states[i]);
      }),
    );
  const sum = (key) => states.reduce((total, s) => total + s[key], 0);
  return {
    sent: sum('sent'),
    acked: sum('acked'),
    expected: sum('expected'),
    startedAt,
    endedAt: nowMicros(),
  };
}

// The bench ended or died: nothing here outlives it.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message) => {
  try {
    switch (message.type) {
      case 'setup':
        await setup(message.plan);
        send({ type: 'ready' });
        break;
      case 'reset':
        histogram = newHistogram();
        delivered = 0;
        frozenDelivered = 0;
        first = 0;
        last = 0;
        send({ type: 'reset' });
        break;
      case 'run':
        send({ type: 'done', ...(await run(message)) });
        break;
      case 'progress': {
        remote.delivered = message.delivered;
        const waiter = remote.waiter;
        remote.waiter = null;
        waiter?.();
        break;
      }
      case 'freeze':
        for (const { conn, spec } of subscribers) if (spec.frozen) conn.pause();
        send({ type: 'freeze' });
        break;
      case 'report':
        send({
          type: 'report',
          delivered,
          frozenDelivered,
          first,
          last,
          histogram: hdr.encodeIntoCompressedBase64(histogram),
        });
        break;
      case 'teardown':
        // Back to the pool: the process is reused by the next run (forking and loading costs seconds
        // on a loaded machine).
        for (const conn of [
          ...subscribers.map((s) => s.conn),
          ...publishers,
          ...idle,
          ...(probe ? [probe.conn] : []),
        ])
          conn.close();
        subscribers.length = 0;
        publishers.length = 0;
        idle.length = 0;
        probe = undefined;
        templates = [];
        reportProgress = false;
        send({ type: 'teardown' });
        break;
      case 'stop':
        process.exit(0);
    }
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
