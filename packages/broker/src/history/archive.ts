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

/** Events handed to the writer in one message (one SQLite transaction). */
const BATCH = 2_000;
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
  /** Batches sent to the writer and not yet committed, oldest first: their first and last seq. */
  readonly #inFlight: [bigint, bigint][] = [];
  #flushScheduled = false;
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
  }

  /** Opens the file (creating it), stores this run durably, starts the reader. */
  async open(): Promise<void> {
    const { path, maxAge, maxBytes } = this.#options;
    // Read when the workers start: a catalogue reload's new keys are indexed from the next start.
    const keys = declaredKeys(this.#options.services());
    const writer = new Worker(WORKER, { workerData: { role: 'writer', path, keys, maxAge, maxBytes } });
    this.#writer = writer;
    writer.on('error', (error) => this.#options.logger.error({ err: error }, 'history writer failed'));
    const [ready] = (await once(writer, 'message')) as [{ kind: 'ready'; storedRun: number }];
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
    if (this.#pending.length >= this.#options.queue) {
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
    this.#pending.push([seq, time, topic, payload]);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
    return seq;
  }

  #flush(): void {
    this.#flushScheduled = false;
    // Closing: close() took the queue with it.
    if (this.#writer === undefined) return;
    // Two batches in flight at most: the writer always has the next one, and the queue stays ours.
    while (this.#pending.length > 0 && this.#inFlight.length < 2) {
      const batch = this.#pending.splice(0, BATCH);
      this.#inFlight.push([batch[0]![0], batch[batch.length - 1]![0]]);
      this.#send(batch);
    }
  }

  /**
   * One message per batch, the payloads copied into one transferred buffer: a payload is often a
   * view into a larger socket chunk, which structured clone would copy whole.
   */
  #send(batch: Accepted[], writer = this.#writer): void {
    const bytes = Buffer.allocUnsafeSlow(batch.reduce((sum, [, , , payload]) => sum + payload.length, 0));
    const ends = new Uint32Array(batch.length);
    let offset = 0;
    batch.forEach(([, , , payload], i) => {
      bytes.set(payload, offset);
      offset += payload.length;
      ends[i] = offset;
    });
    const message = {
      kind: 'write',
      seqs: batch.map(([seq]) => seq),
      times: batch.map(([, time]) => time),
      topics: batch.map(([, , topic]) => topic),
      ends,
      bytes,
    };
    writer?.postMessage(message, [bytes.buffer, ends.buffer]);
  }

  #fromWriter(message: WriterMessage): void {
    if (message.kind === 'written') {
      this.#inFlight.shift();
      this.written += message.count;
      if (this.#pending.length > 0) this.#flush();
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
  | { kind: 'written'; through: bigint; count: number }
  | { kind: 'dropped'; chunk: number; through: bigint }
  | { kind: 'closed' };
