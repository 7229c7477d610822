import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ServiceDefinition } from '@firehose/schema';
import type { Logger } from '../logger.js';
import { nextRun } from './cursor.js';
import { declaredKeys } from './declared-keys.js';
import type { HistoryStore, StoreBounds } from './history-store.js';
import type { ArchiveQuery, ArchiveRow } from './query.js';
import { Sequence } from './sequence.js';

const WORKER = fileURLToPath(new URL('./archive-worker.js', import.meta.url));

/**
 * Events handed to the writer in one message, at most: building one holds the event loop (~1 ms
 * for 2,000). The writer commits every message it finds queued when it wakes in one transaction (a
 * group commit), so under load its transactions hold many messages: a commit's cost is mostly per
 * transaction (each index's dirty pages go to the WAL once), 20 µs of CPU per event at 100 events
 * a transaction, 12 at 2,000, 9 at 10,000 (the bench's events).
 */
const BATCH = 2_000;
/**
 * Longest a small batch waits for more events before it is sent (when nobody waits for it): at
 * 10,000 events/s the writer commits ~500 at a time instead of one burst's worth. A search or a
 * stream's handover that waits for the archive (`settled`) sends what is pending at once.
 */
const FLUSH_MS = 50;
/** Overflow is logged at most this often (it is counted every time). */
const OVERFLOW_LOG_MS = 10_000;

export interface ArchiveOptions {
  path: string;
  /** Seconds an event is kept. */
  maxAge: number;
  /** Bytes the archive may hold; 0: no limit. */
  maxBytes: number;
  /** Events waiting to be written, at most. */
  queue: number;
  logger: Logger;
  /** Counts one event that was delivered but not archived (queue full). */
  onOverflow: () => void;
  /** Every declared service, built-in and site: their declared keys are indexed. */
  services: () => readonly ServiceDefinition[];
}

type Accepted = [seq: bigint, time: number, topic: string, payload: Uint8Array];

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The archive's broker side (docs/architecture.md#history): numbers each accepted event
 * synchronously, queues it for the writer worker without ever waiting for it (a full queue loses
 * the event from the archive, not from delivery, and counts it), and asks a reader worker for pages.
 */
export class Archive implements HistoryStore {
  readonly #options: ArchiveOptions;
  #writer: Worker | undefined;
  #reader: Worker | undefined;
  #sequence: Sequence | undefined;
  #pending: Accepted[] = [];
  /** Batches sent to the writer and not yet committed, oldest first: their first seq and size. */
  readonly #inFlight: [first: bigint, events: number][] = [];
  /** Events in #inFlight. */
  #inFlightEvents = 0;
  /** Pending events past which they are sent at once (not after FLUSH_MS). */
  readonly #batch: number;
  #flushTimer: NodeJS.Timeout | undefined;
  #flushImmediate: NodeJS.Immediate | undefined;
  #lastOverflowLog = 0;
  #overflowSinceLog = 0;
  #asks = 0;
  readonly #answers = new Map<number, Pending>();
  /** Waiters for the archive to have settled through a seq (written, or never to be). */
  readonly #settleWaiters: { seq: bigint; resolve: () => void }[] = [];
  overflowed = 0;
  written = 0;

  constructor(options: ArchiveOptions) {
    this.#options = options;
    // A small queue bound is never reached by waiting for a full batch.
    this.#batch = Math.max(1, Math.min(BATCH, Math.floor(options.queue / 2)));
  }

  /** Opens the file (creating it), stores this run durably, starts the reader. */
  async open(): Promise<void> {
    const { path, maxAge, maxBytes } = this.#options;
    // Read when the workers start: a catalogue reload's new keys are indexed from the next start.
    const keys = declaredKeys(this.#options.services());
    const writer = new Worker(WORKER, { workerData: { role: 'writer', path, keys, maxAge, maxBytes } });
    this.#writer = writer;
    writer.on('error', (error) => this.#options.logger.error({ err: error }, 'history writer failed'));
    // A file this broker cannot open (a newer format) fails the start with the worker's sentence.
    const [ready] = (await once(writer, 'message').catch(async (error: unknown) => {
      this.#writer = undefined;
      await writer.terminate();
      throw error;
    })) as [{ kind: 'ready'; storedRun: number; migratedFrom: number | undefined }];
    if (ready.migratedFrom !== undefined)
      this.#options.logger.info(
        { path, from: ready.migratedFrom },
        'history: archive of an older format migrated (its topic index built)',
      );
    const run = nextRun(ready.storedRun);
    writer.postMessage({ kind: 'run', run });
    await once(writer, 'message');
    this.#sequence = new Sequence(run);
    writer.on('message', (message: WriterMessage) => this.#fromWriter(message));
    if (!existsSync(path)) throw new Error(`history: ${path} was not created`);
    const reader = new Worker(WORKER, { workerData: { role: 'reader', path, keys, maxAge, maxBytes } });
    this.#reader = reader;
    await once(reader, 'message');
    reader.on('message', (message: { kind: 'result'; ask: number; result?: unknown; error?: string }) => {
      const pending = this.#answers.get(message.ask);
      if (!pending) return;
      this.#answers.delete(message.ask);
      if (message.error !== undefined) pending.reject(new Error(message.error));
      else pending.resolve(message.result);
    });
    reader.on('error', (error) => {
      this.#options.logger.error({ err: error }, 'history reader failed');
      for (const pending of this.#answers.values()) pending.reject(error);
      this.#answers.clear();
    });
  }

  /** The last sequence number issued (0n before open). */
  get lastSeq(): bigint {
    return this.#sequence?.last ?? 0n;
  }

  /**
   * Numbers an accepted event and queues it for the archive; synchronous and never waits. Returns
   * the event's sequence number (also when the queue was full: live readers still get it).
   */
  accept(topic: string, payload: Buffer, time: number): bigint {
    const seq = this.#sequence!.next();
    // The bound holds the events not yet committed: pending and sent alike.
    if (this.#pending.length + this.#inFlightEvents >= this.#options.queue) {
      this.overflowed++;
      this.#options.onOverflow();
      this.#overflowSinceLog++;
      if (time - this.#lastOverflowLog >= OVERFLOW_LOG_MS) {
        this.#options.logger.warn(
          { dropped: this.#overflowSinceLog, queue: this.#options.queue },
          'history queue full: events delivered but not archived (history.queue)',
        );
        this.#lastOverflowLog = time;
        this.#overflowSinceLog = 0;
      }
      this.#settle();
      return seq;
    }
    const pending = this.#pending.push([seq, time, topic, payload]);
    if (pending >= this.#batch) this.#flushSoon();
    else if (this.#flushTimer === undefined && this.#flushImmediate === undefined)
      this.#flushTimer = setTimeout(() => this.#flush(), FLUSH_MS);
    return seq;
  }

  /** Sends what is pending once this turn of the event loop is done. */
  #flushSoon(): void {
    if (this.#flushImmediate === undefined) this.#flushImmediate = setImmediate(() => this.#flush());
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    clearImmediate(this.#flushImmediate);
    this.#flushTimer = undefined;
    this.#flushImmediate = undefined;
    // Closing: close() took the queue with it.
    if (this.#writer === undefined) return;
    while (this.#pending.length > 0) {
      const batch = this.#pending.length <= BATCH ? this.#pending : this.#pending.slice(0, BATCH);
      this.#pending = this.#pending.length <= BATCH ? [] : this.#pending.slice(BATCH);
      this.#inFlight.push([batch[0]![0], batch.length]);
      this.#inFlightEvents += batch.length;
      this.#send(batch);
    }
  }

  /**
   * One message per batch, every array transferred, not cloned: the payloads copied back to back
   * into one buffer (a payload is often a view into a larger socket chunk, which structured clone
   * would copy whole), the seqs and times into typed arrays, and the topics joined into one string
   * with their ends beside (one string clones in a third of the time of as many small ones).
   */
  #send(batch: Accepted[], writer = this.#writer): void {
    const n = batch.length;
    let size = 0;
    for (let i = 0; i < n; i++) size += batch[i]![3].length;
    const bytes = Buffer.allocUnsafeSlow(size);
    const ends = new Uint32Array(n);
    const seqs = new BigInt64Array(n);
    const times = new Float64Array(n);
    const topicEnds = new Uint32Array(n);
    let topics = '';
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const [seq, time, topic, payload] = batch[i]!;
      bytes.set(payload, offset);
      offset += payload.length;
      ends[i] = offset;
      seqs[i] = seq;
      times[i] = time;
      topics += topic;
      topicEnds[i] = topics.length;
    }
    const message = { kind: 'write', seqs, times, topics, topicEnds, ends, bytes };
    writer?.postMessage(message, [bytes.buffer, ends.buffer, seqs.buffer, times.buffer, topicEnds.buffer]);
  }

  #fromWriter(message: WriterMessage): void {
    if (message.kind === 'written') {
      // One group commit: the oldest `batches` messages, in the order they were sent.
      for (let i = 0; i < message.batches; i++) this.#inFlightEvents -= this.#inFlight.shift()?.[1] ?? 0;
      this.written += message.count;
      this.#settle();
    } else if (message.kind === 'dropped') {
      this.#options.logger.info({ through: String(message.through) }, 'history: oldest chunk dropped');
    }
  }

  /** Everything at or below this seq is in the archive or never will be. */
  get settledThrough(): bigint {
    const first = this.#inFlight[0]?.[0] ?? this.#pending[0]?.[0];
    return first === undefined ? this.lastSeq : first - 1n;
  }

  #settle(): void {
    const through = this.settledThrough;
    for (let i = this.#settleWaiters.length - 1; i >= 0; i--) {
      const waiter = this.#settleWaiters[i]!;
      if (waiter.seq <= through) {
        this.#settleWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves once every event up to `seq` is written (or was dropped as overflow). */
  settled(seq: bigint): Promise<void> {
    if (seq <= this.settledThrough) return Promise.resolve();
    // Someone waits: what is pending goes now, not after FLUSH_MS.
    if (this.#pending.length > 0) this.#flushSoon();
    return new Promise((resolve) => this.#settleWaiters.push({ seq, resolve }));
  }

  caughtUp(): Promise<void> {
    return this.settled(this.lastSeq);
  }

  #ask<T>(message: Record<string, unknown>): Promise<T> {
    const ask = ++this.#asks;
    return new Promise<T>((resolve, reject) => {
      if (!this.#reader) {
        reject(new Error('history archive is not open'));
        return;
      }
      this.#answers.set(ask, { resolve: resolve as (value: unknown) => void, reject });
      this.#reader.postMessage({ ...message, ask });
    });
  }

  search(query: ArchiveQuery): Promise<{ rows: ArchiveRow[]; next: bigint | null }> {
    return this.#ask({ kind: 'search', query });
  }

  /**
   * How SQLite runs a search's driving statements (EXPLAIN QUERY PLAN, the steps of each): the
   * tests hold each kind of search to its index with it.
   */
  explain(query: ArchiveQuery): Promise<string[][]> {
    return this.#ask({ kind: 'explain', query });
  }

  get(by: { seq: bigint } | { id: string }): Promise<ArchiveRow | undefined> {
    return this.#ask({ kind: 'get', ...by });
  }

  /** The oldest and newest archived events, and the last seq retention dropped. */
  bounds(): Promise<StoreBounds> {
    return this.#ask({ kind: 'bounds' });
  }

  /** Writes what is queued, then closes both workers. */
  async close(): Promise<void> {
    const writer = this.#writer;
    const reader = this.#reader;
    this.#writer = undefined;
    this.#reader = undefined;
    // Taken before the first await: a flush scheduled by the last accept finds no writer.
    const rest = this.#pending.splice(0);
    clearTimeout(this.#flushTimer);
    clearImmediate(this.#flushImmediate);
    this.#flushTimer = undefined;
    this.#flushImmediate = undefined;
    for (const pending of this.#answers.values()) pending.reject(new Error('history archive closed'));
    this.#answers.clear();
    if (reader) await reader.terminate();
    if (writer) {
      for (let i = 0; i < rest.length; i += BATCH) this.#send(rest.slice(i, i + BATCH), writer);
      const closed = new Promise<void>((resolve) => {
        writer.on('message', (message: WriterMessage) => {
          if (message.kind === 'closed') resolve();
        });
        writer.once('exit', () => resolve());
      });
      writer.postMessage({ kind: 'close' });
      await closed;
      await writer.terminate();
    }
    for (const waiter of this.#settleWaiters.splice(0)) waiter.resolve();
  }
}

type WriterMessage =
  | { kind: 'written'; batches: number; count: number }
  | { kind: 'dropped'; chunk: number; through: bigint }
  | { kind: 'closed' };
