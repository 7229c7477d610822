import type { MqttClient } from 'mqtt';
import { sleep } from '@firehose/test-support';

/** What a failure test reports: the table of docs/operating.md ("What a failure costs"). */
export interface LossTable {
  /** QoS 1 messages the publishers sent (each key once, however often MQTT.js resent it). */
  published: number;
  /** Of those, the ones whose publisher got a PUBACK. */
  acknowledged: number;
  /** Distinct acknowledged messages received, summed over the persistent subscribers. */
  delivered: number;
  /** Copies beyond the first, summed over the persistent subscribers. */
  duplicated: number;
  /** Acknowledged messages some persistent subscriber never received, summed over the subscribers. */
  lost: number;
  /** The most copies of one message any subscriber received. */
  maxCopies: number;
}

/**
 * Counts a QoS 1 stream across a failure: every message a publisher sends is a key
 * `<publisher>:<n>`, recorded when sent and when its PUBACK arrives; each persistent subscriber
 * records how many copies of each key it received. A message counts as lost for a subscriber
 * when its publisher was acknowledged and the subscriber never got it.
 */
export class DeliveryLedger {
  readonly #published = new Set<string>();
  readonly #acknowledged = new Set<string>();
  /** Acknowledged before `mark(name)` was called, per mark. */
  readonly #marks = new Map<string, number>();
  readonly #received = new Map<string, Map<string, number>>();
  readonly #streams: Promise<void>[] = [];
  #streaming = false;

  /** Counts what `client` receives on `topicPrefix` as subscriber `name`. Attach before CONNECT. */
  subscriber(name: string, client: MqttClient, topicPrefix = 'load/'): void {
    const copies = new Map<string, number>();
    this.#received.set(name, copies);
    client.on('message', (topic, payload) => {
      if (!topic.startsWith(topicPrefix)) return;
      const key = payload.toString();
      copies.set(key, (copies.get(key) ?? 0) + 1);
    });
  }

  /**
   * Starts each publisher's stream: one QoS 1 publish to `topic` every `intervalMs`, not waiting
   * for the PUBACK (MQTT.js keeps unacknowledged ones and resends them when it reconnects).
   */
  stream(publishers: { name: string; client: MqttClient }[], topic: string, intervalMs: number): void {
    this.#streaming = true;
    for (const { name, client } of publishers)
      this.#streams.push(
        (async () => {
          for (let n = 0; this.#streaming; n++) {
            const key = `${name}:${n}`;
            this.#published.add(key);
            client.publishAsync(topic, key, { qos: 1 }).then(
              () => this.#acknowledged.add(key),
              () => undefined,
            );
            await sleep(intervalMs);
          }
        })(),
      );
  }

  async stop(): Promise<void> {
    this.#streaming = false;
    await Promise.all(this.#streams);
  }

  /** Remembers how many messages were acknowledged now, as `name` (e.g. the moment of a kill). */
  mark(name: string): void {
    this.#marks.set(name, this.#acknowledged.size);
  }

  /** Messages acknowledged since `mark(name)`. */
  acknowledgedSince(name: string): number {
    return this.#acknowledged.size - (this.#marks.get(name) ?? 0);
  }

  get acknowledged(): number {
    return this.#acknowledged.size;
  }

  get unacknowledged(): number {
    return this.#published.size - this.#acknowledged.size;
  }

  /** Acknowledged messages `subscriber` has not received yet. */
  missing(subscriber: string): string[] {
    const copies = this.#received.get(subscriber)!;
    return [...this.#acknowledged].filter((key) => !copies.has(key));
  }

  table(): LossTable {
    let delivered = 0;
    let duplicated = 0;
    let lost = 0;
    let maxCopies = 0;
    for (const copies of this.#received.values()) {
      for (const key of this.#acknowledged) {
        const n = copies.get(key) ?? 0;
        if (n === 0) lost++;
        else delivered++;
      }
      for (const n of copies.values()) {
        duplicated += n - 1;
        maxCopies = Math.max(maxCopies, n);
      }
    }
    return {
      published: this.#published.size,
      acknowledged: this.#acknowledged.size,
      delivered,
      duplicated,
      lost,
      maxCopies,
    };
  }
}

/** Prints a scenario's table (one row), so every run's figures are in the test output. */
export function printLossTable(
  scenario: string,
  table: LossTable,
  notes: Record<string, unknown> = {},
): void {
  const row = { scenario, ...table, ...notes };
  console.log(`loss table: ${JSON.stringify(row)}`);
}
