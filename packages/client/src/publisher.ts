import { FirehoseError } from '@firehose/protocol';
import type { MqttClient, PacketCallback } from 'mqtt';
import { PublishQueue } from './publish-queue.js';
import type { QoS } from './subscription-registry.js';

/** One publish between the caller's promise and the broker's acknowledgement. */
interface Pending {
  readonly topic: string;
  readonly payload: string | Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The callback handed to MQTT.js; identifies this publish inside MQTT.js's bookkeeping. */
  callback: PacketCallback | undefined;
  /** Packet id, once MQTT.js has assigned one (QoS > 0). */
  messageId: number | undefined;
  settled: boolean;
}

/**
 * MQTT.js internals the withdrawal needs. `outgoing` is public; `_storeProcessingQueue` holds
 * publishes made while MQTT.js replays its store right after a reconnect, before they get an id.
 */
interface MqttInternals {
  outgoing: Record<number, { cb: unknown } | undefined>;
  _storeProcessingQueue?: { callback?: unknown }[];
  messageIdProvider: { deallocate(id: number): void };
}

/**
 * Publishes that always settle. While disconnected they wait in a bounded queue (overflow rejects
 * with `QUEUE_FULL`); once connected they go to MQTT.js. Whatever happens, the promise settles by
 * the timeout, and a timed-out publish is withdrawn — from our queue, or from MQTT.js's outgoing
 * store — so it is never sent behind the caller's back (MQTT.js's publishAsync never settles
 * offline, mqttjs/MQTT.js#1987).
 */
export class Publisher {
  private readonly queue: PublishQueue<Pending>;
  private readonly inFlight = new Set<Pending>();
  private online = false;
  private client: MqttClient | undefined;

  constructor(capacity: number) {
    this.queue = new PublishQueue(capacity);
  }

  /** Publishes handed to MQTT.js and not yet acknowledged. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  get queuedCount(): number {
    return this.queue.size;
  }

  /** Connected (and MQTT.js's own replay done): flush the queue in order. */
  setOnline(client: MqttClient): void {
    this.client = client;
    this.online = true;
    for (const pending of this.queue.drain()) this.handOver(pending);
  }

  setOffline(): void {
    this.online = false;
  }

  publish(
    topic: string,
    payload: string | Uint8Array,
    qos: QoS,
    retain: boolean,
    timeout: number,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        topic,
        payload,
        qos,
        retain,
        resolve,
        reject,
        timer: undefined,
        callback: undefined,
        messageId: undefined,
        settled: false,
      };
      if (!this.online || !this.client) {
        this.queue.add(pending); // throws QUEUE_FULL, which rejects this promise
      }
      pending.timer = setTimeout(() => this.expire(pending, timeout), timeout);
      if (this.online && this.client) this.handOver(pending);
    });
  }

  private settle(pending: Pending, error?: Error): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    this.inFlight.delete(pending);
    if (error) pending.reject(error);
    else pending.resolve();
  }

  private handOver(pending: Pending): void {
    const client = this.client!;
    const callback: PacketCallback = (error) => {
      if (pending.settled) return;
      if (error) {
        this.settle(
          pending,
          new FirehoseError(
            'CONNECTION_FAILED',
            `The publish to ${pending.topic} failed (${error.message}); it was not delivered, retry it.`,
            { cause: error },
          ),
        );
        // MQTT.js gave up on it (e.g. a keepalive timeout flushed its callbacks) but may still hold
        // the packet in its store; withdraw it so the rejection is the whole story. Settled first:
        // withdrawing calls this callback again.
        this.withdraw(pending);
      } else {
        this.settle(pending);
      }
    };
    pending.callback = callback;
    this.inFlight.add(pending);
    const payload = typeof pending.payload === 'string' ? pending.payload : (pending.payload as Buffer);
    try {
      client.publish(pending.topic, payload, { qos: pending.qos, retain: pending.retain }, callback);
    } catch (error) {
      // Never let MQTT.js throw into a connect handler or the caller's await: settle instead.
      this.settle(
        pending,
        new FirehoseError(
          'CONNECTION_FAILED',
          `The publish to ${pending.topic} could not be sent; retry it.`,
          {
            cause: error,
          },
        ),
      );
      return;
    }
    if (pending.qos > 0) {
      const id = client.getLastMessageId();
      if ((client as unknown as MqttInternals).outgoing[id]?.cb === callback) pending.messageId = id;
    }
  }

  private expire(pending: Pending, timeout: number): void {
    if (pending.settled) return;
    const queued = this.queue.delete(pending);
    const where = queued ? 'while waiting for a connection' : 'waiting for the broker to acknowledge it';
    this.settle(
      pending,
      new FirehoseError(
        'TIMEOUT',
        `The publish to ${pending.topic} timed out after ${timeout} ms ${where}; it was withdrawn and will not be sent later. Retry it (with the same id) once connected.`,
      ),
    );
    // After settling: MQTT.js calls the publish's callback with "Message removed", now a no-op.
    if (!queued) this.withdraw(pending);
  }

  /** Removes a handed-over publish from MQTT.js so a later reconnect does not resend it. */
  private withdraw(pending: Pending): void {
    const client = this.client;
    if (!client || pending.callback === undefined) return;
    const internals = client as unknown as MqttInternals;
    let id = pending.messageId;
    if (id === undefined) {
      // Deferred by MQTT.js during its post-reconnect replay: not yet given an id.
      const deferred = internals._storeProcessingQueue;
      const at = deferred?.findIndex((entry) => entry.callback === pending.callback) ?? -1;
      if (deferred && at >= 0) {
        deferred.splice(at, 1);
        return;
      }
      for (const [key, entry] of Object.entries(internals.outgoing)) {
        if (entry?.cb === pending.callback) id = Number(key);
      }
    }
    if (id === undefined) return;
    if (internals.outgoing[id] !== undefined) {
      client.removeOutgoingMessage(id);
    } else {
      // MQTT.js already dropped the callback but not the stored packet.
      client.outgoingStore.del({ messageId: id }, () => {});
      internals.messageIdProvider.deallocate(id);
    }
  }

  /** Waits until nothing is in flight, or `timeout` ms. */
  async drain(timeout: number): Promise<void> {
    const deadline = Date.now() + timeout;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Rejects (and withdraws) everything still queued or in flight. */
  abort(reason: string): void {
    for (const pending of [...this.queue.drain(), ...this.inFlight]) {
      this.settle(pending, new FirehoseError('CLOSED', reason));
      this.withdraw(pending);
    }
  }
}
