// Bench worker processes: a broker (firehose or bare aedes), a raw-socket publisher, a raw-socket
// subscriber. Forked by run.mjs; they talk over IPC. Raw mqtt-packet sockets keep the load
// generators cheap, so the broker is what gets measured.
import { connect as netConnect, createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import mqttPacket from 'mqtt-packet';

const role = process.argv[2];
const send = (message) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();
/** Marker and width of the send time stamped into payloads (ms since epoch, fixed width). */
const TS = 'TS:';
const TS_WIDTH = 17;

function onMessage(handler) {
  process.on('message', (message) => void handler(message));
}

/** Write syscalls this process has made so far (Linux /proc; NaN elsewhere). */
function writeSyscalls() {
  try {
    return Number(/^syscw: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  } catch {
    return NaN;
  }
}

async function brokerWorker({ kind, config }) {
  let port;
  let wsUrl;
  let close;
  if (kind === 'aedes') {
    const { Aedes } = await import('aedes');
    const aedes = await Aedes.createBroker();
    const server = createServer(aedes.handle);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
    close = () => new Promise((resolve) => aedes.close(() => server.close(() => resolve())));
  } else {
    const { createBroker } = await import('../dist/index.js');
    const broker = await createBroker(config);
    await broker.listen();
    port = broker.address('mqtt').port;
    wsUrl = broker.url('ws');
    close = () => broker.close();
  }
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  send({ type: 'ready', port, wsUrl });
  onMessage(async (message) => {
    if (message.type === 'rss') send({ type: 'rss', rss: process.memoryUsage().rss, peakRss });
    if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', micros: user + system, writes: writeSyscalls() });
    }
    if (message.type === 'stop') {
      clearInterval(sampler);
      await close();
      // process.exit() would skip writing a --cpu-prof profile; let the event loop empty instead.
      process.disconnect?.();
      setTimeout(() => process.exit(0), 2000).unref();
    }
  });
}

/** An MQTT-over-WebSocket client: ws frames into the same mqtt-packet parser. */
async function openWsClient(url, connect) {
  const { WebSocket } = await import('ws');
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'mqtt', { perMessageDeflate: false });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    ws.once('error', reject);
    ws.on('message', (data) => parser.parse(data));
    parser.once('packet', (packet) => {
      if (packet.cmd !== 'connack' || packet.returnCode !== 0) reject(new Error(`refused: ${JSON.stringify(packet)}`));
      else resolve({ socket: { write: (buffer) => ws.send(buffer) }, parser });
    });
    ws.once('open', () => {
      ws.send(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 0, ...connect }));
    });
  });
}

function openClient(port, connect) {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    socket.once('error', reject);
    socket.on('data', (chunk) => parser.parse(chunk));
    parser.once('packet', (packet) => {
      if (packet.cmd !== 'connack' || packet.returnCode !== 0) reject(new Error(`refused: ${JSON.stringify(packet)}`));
      else resolve({ socket, parser });
    });
    socket.once('connect', () => {
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 0, ...connect }));
    });
  });
}

async function subscriberWorker({ port, wsUrl, filter, connections }) {
  let count = 0;
  let first = 0;
  let last = 0;
  const latencies = [];
  let measuring = false;
  for (let i = 0; i < connections; i++) {
    const clientId = `load-sub-${process.pid}-${i}`;
    const { socket, parser } = wsUrl ? await openWsClient(wsUrl, { clientId }) : await openClient(port, { clientId });
    parser.on('packet', (packet) => {
      if (packet.cmd !== 'publish') return;
      const t = now();
      if (count === 0) first = t;
      count++;
      last = t;
      if (measuring) {
        const at = packet.payload.indexOf(TS);
        const stamp = at >= 0 ? Number(packet.payload.toString('latin1', at + TS.length, at + TS.length + TS_WIDTH)) : 0;
        // Unstamped messages are the throughput phase's backlog still draining.
        if (stamp > 0) latencies.push(t - stamp);
      }
    });
    socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 0 }] }));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  send({ type: 'ready' });
  onMessage((message) => {
    if (message.type === 'reset') {
      count = 0;
      latencies.length = 0;
      measuring = message.latency;
    }
    if (message.type === 'report') send({ type: 'report', count, first, last, latencies });
    if (message.type === 'stop') process.exit(0);
  });
}

/** Packets for a topic and payload template, with the send time stamped into a copy. */
function packetFactory(topic, payload) {
  const base = mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false });
  const at = base.indexOf(TS);
  return {
    plain: base,
    stamped() {
      const copy = Buffer.from(base);
      if (at >= 0) copy.write(now().toFixed(3).padStart(TS_WIDTH, '0'), at + TS.length, 'latin1');
      return copy;
    },
  };
}

async function publisherWorker({ port, topics, payload, username, password }) {
  const { socket } = await openClient(port, { clientId: `load-pub-${process.pid}`, username, password });
  const factories = topics.map((topic) => packetFactory(topic, Buffer.from(payload)));
  send({ type: 'ready' });
  onMessage(async ({ type, durationMs, rate }) => {
    if (type === 'stop') process.exit(0);
    if (type !== 'run') return;
    const end = now() + durationMs;
    let sent = 0;
    if (rate === 0) {
      // As fast as the broker accepts: batches of 64, waiting for the socket to drain.
      while (now() < end) {
        socket.cork();
        for (let i = 0; i < 64; i++) socket.write(factories[sent++ % factories.length].plain);
        socket.uncork();
        if (socket.writableLength > 1 << 20) await new Promise((resolve) => socket.once('drain', resolve));
        else await new Promise((resolve) => setImmediate(resolve));
      }
    } else {
      // Fixed rate, stamped, in 1 ms steps.
      const start = now();
      while (now() < end) {
        const due = Math.floor(((now() - start) / 1000) * rate);
        while (sent < due) socket.write(factories[sent++ % factories.length].stamped());
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    send({ type: 'done', sent });
  });
}

const roles = { broker: brokerWorker, subscriber: subscriberWorker, publisher: publisherWorker };
process.once('message', (message) => void roles[role](message));
