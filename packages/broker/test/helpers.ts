import { spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { FirehoseEvent } from '@firehose/protocol';
import { createServiceEvent, gerrit } from '@firehose/schema';
import { startTestBroker, waitFor } from '@firehose/test-support';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterEach } from 'vitest';
import { type BrokerConfigInput, type CreateBrokerOptions, type FirehoseBroker } from '../src/index.js';

export { sleep, waitFor } from '@firehose/test-support';

const open: (() => Promise<unknown>)[] = [];
const require = createRequire(import.meta.url);

/** Closes every broker and client a test opened, newest first. */
afterEach(async () => {
  while (open.length > 0) await open.pop()!().catch(() => undefined);
});

/** `startTestBroker`, closed after the test. */
export async function startBroker(
  config: BrokerConfigInput = {},
  options: CreateBrokerOptions = {},
): Promise<FirehoseBroker> {
  const broker = await startTestBroker(config, options);
  open.push(() => broker.close());
  return broker;
}

/**
 * A broker node in a child process (`fixtures/broker-node.mjs`, the built package), so a test can
 * SIGKILL it like a crashed machine; resolves once it prints `READY <port>`, killed after the test.
 */
export async function startBrokerProcess(
  config: BrokerConfigInput,
  heartbeatIntervalMs: number,
): Promise<{ child: ChildProcess; port: number; url: string }> {
  const script = fileURLToPath(new URL('./fixtures/broker-node.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      FIREHOSE_TEST_CONFIG: JSON.stringify(config),
      FIREHOSE_TEST_HEARTBEAT: String(heartbeatIntervalMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  open.push(() => Promise.resolve(child.kill('SIGKILL')));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`broker node exited with ${code}`)));
  });
  return { child, port, url: `mqtt://127.0.0.1:${port}` };
}

export async function client(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  open.push(() => c.endAsync(true));
  return c;
}

/** Collects messages on a client. */
export function collect(c: MqttClient): { topic: string; payload: Buffer; qos: number; retain: boolean }[] {
  const seen: { topic: string; payload: Buffer; qos: number; retain: boolean }[] = [];
  c.on('message', (topic, payload, packet) =>
    seen.push({ topic, payload, qos: packet.qos, retain: packet.retain }),
  );
  return seen;
}

/** A realistic, valid gerrit comment-added envelope (the schema package's fixture). */
export function gerritCommentAdded(change = 912345): FirehoseEvent {
  const fixture = JSON.parse(
    readFileSync(require.resolve('@firehose/schema/fixtures/gerrit/comment-added.json'), 'utf8'),
  ) as {
    data: { change: { number: number } };
  };
  fixture.data.change.number = change;
  return createServiceEvent(gerrit.commentAdded, fixture.data as never, {});
}

/** A raw MQTT connection for tests where MQTT.js would hide the protocol. */
export class RawClient {
  readonly packets: Packet[] = [];
  readonly socket: Socket;
  closed = false;
  readonly #parser = mqttPacket.parser({ protocolVersion: 4 });

  private constructor(socket: Socket) {
    this.socket = socket;
    this.#parser.on('packet', (packet: Packet) => this.packets.push(packet));
    socket.on('data', (chunk: Buffer) => this.#parser.parse(chunk));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<RawClient> {
    const socket = netConnect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const raw = new RawClient(socket);
    open.push(() => Promise.resolve(raw.socket.destroy()));
    return raw;
  }

  send(packet: Packet): void {
    this.socket.write(mqttPacket.generate(packet));
  }

  async next(cmd: Packet['cmd'], timeoutMs = 3000): Promise<Packet> {
    await waitFor(() => this.packets.some((p) => p.cmd === cmd), timeoutMs, `a ${cmd} packet`);
    const index = this.packets.findIndex((p) => p.cmd === cmd);
    return this.packets.splice(index, 1)[0]!;
  }

  async connack(options: Partial<mqttPacket.IConnectPacket> = {}): Promise<mqttPacket.IConnackPacket> {
    this.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: 'raw',
      keepalive: 60,
      ...options,
    });
    return (await this.next('connack')) as mqttPacket.IConnackPacket;
  }

  waitClosed(timeoutMs = 3000): Promise<void> {
    return waitFor(() => this.closed, timeoutMs, 'the socket to close');
  }
}

export interface Received {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
}

/** Connects with a message collector attached before CONNECT, so queued deliveries are not missed. */
export async function connectCollecting(
  url: string,
  options: IClientOptions = {},
): Promise<{ client: MqttClient; seen: Received[] }> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  open.push(() => c.endAsync(true));
  const seen: Received[] = [];
  c.on('message', (topic, payload, packet) =>
    seen.push({ topic, payload, qos: packet.qos, retain: packet.retain }),
  );
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
  return { client: c, seen };
}

/** Connects one collecting client per id and subscribes each to a `$share/...` filter at QoS 1. */
export async function groupMembers(
  url: string,
  filter: string,
  clientIds: string[],
): Promise<{ client: MqttClient; seen: Received[] }[]> {
  const members = await Promise.all(clientIds.map((clientId) => connectCollecting(url, { clientId })));
  for (const m of members) await m.client.subscribeAsync(filter, { qos: 1 });
  return members;
}
