import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { ArchivedEvent, PostgresArchive } from './postgres-archive.js';
import { entryFields, jsonObject } from './stream-entry.js';
import { streamIdToSeq } from './stream-id.js';

/** The consumer group every node's archiver reads the history stream in. */
export const ARCHIVE_GROUP = 'firehose-archive';
/** Entries one XREADGROUP returns at most: one PostgreSQL batch. */
const BATCH = 1000;
/** How long one XREADGROUP blocks waiting for entries (ms). */
const BLOCK_MS = 2000;
/** Entries pending this long (ms) belong to a consumer that died: another node claims them. */
const CLAIM_IDLE_MS = 30_000;
/** How often a node looks for such entries. */
const CLAIM_EVERY_MS = 10_000;
/** Consumers with nothing pending that were idle this long are removed from the group. */
const FORGET_IDLE_MS = 600_000;
/** How often an idle archiver checks that PostgreSQL answers, so that /readyz tells an outage. */
const PING_EVERY_MS = 5000;
/** Waits between retries of a batch PostgreSQL refused (doubling up to the last). */
const RETRY_MS = [250, 500, 1000, 2000, 5000];

type Entry = [id: Buffer, fields: Buffer[]];

export interface StreamArchiverOptions {
  /** A connection of its own (XREADGROUP blocks). */
  redis: Redis;
  key: string;
  /** This node's name in the group (the node id: new on every start). */
  consumer: string;
  archive: PostgresArchive;
  logger: Logger;
  /** Entries trimmed from the stream before any node archived them. */
  onLost(count: number): void;
}

/**
 * Feeds the deep archive from the cluster's history stream (docs/architecture.md#cluster-history).
 * Every node runs one, all in the consumer group `firehose-archive`, so each entry is archived by
 * one of them: read a batch (`XREADGROUP … >`), insert it into PostgreSQL (retried while PostgreSQL
 * is away: the entries wait in the stream, which is the bounded queue), then `XACK`. Entries a dead
 * node had read and not acknowledged are claimed by another (`XAUTOCLAIM`) after 30 s; the insert
 * is idempotent (the stream id is the key), so an entry archived twice is stored once.
 */
export class StreamArchiver {
  readonly #options: StreamArchiverOptions;
  #closed = false;
  #running: Promise<void> | undefined;
  #lastClaim = 0;
  #lastPing = 0;
  /** Since when PostgreSQL refuses batches; undefined while it takes them. */
  #failingSince: number | undefined;
  /** Resolves when `close()` is called, so that a retry wait ends at once. */
  #wake: () => void = () => undefined;
  readonly #closing = new Promise<void>((resolve) => (this.#wake = resolve));

  constructor(options: StreamArchiverOptions) {
    this.#options = options;
  }

  /** Undefined while archiving works; else a sentence saying what is degraded (PostgreSQL's own error is logged, not told). */
  get degraded(): string | undefined {
    if (this.#failingSince === undefined) return undefined;
    const seconds = Math.round((Date.now() - this.#failingSince) / 1000);
    return `history deep archive (history.postgres) unreachable for ${seconds} s; events wait in the stream (history.stream.maxLen) and are archived once it answers`;
  }

  async start(): Promise<void> {
    const { redis, key } = this.#options;
    try {
      await redis.xgroup('CREATE', key, ARCHIVE_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('BUSYGROUP'))) throw error;
    }
    this.#running = this.#loop();
  }

  async #loop(): Promise<void> {
    const { redis, key, consumer, logger } = this.#options;
    while (!this.#closed) {
      try {
        if (Date.now() - this.#lastClaim >= CLAIM_EVERY_MS) {
          this.#lastClaim = Date.now();
          await this.#claim();
        }
        const reply = (await redis.callBuffer(
          'XREADGROUP',
          'GROUP',
          ARCHIVE_GROUP,
          consumer,
          'COUNT',
          BATCH,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          key,
          '>',
        )) as [Buffer, Entry[]][] | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length > 0) await this.#archive(entries);
        else if (Date.now() - this.#lastPing >= PING_EVERY_MS) await this.#ping();
      } catch (error) {
        if (this.#closed) return;
        // The group vanished with the stream (a FLUSHDB): make it again.
        if (error instanceof Error && error.message.startsWith('NOGROUP'))
          await redis.xgroup('CREATE', key, ARCHIVE_GROUP, '0', 'MKSTREAM').catch(() => undefined);
        else logger.debug({ err: error }, 'history archiver: redis read failed; retrying');
        await this.#sleep(RETRY_MS[0]!);
      }
    }
  }

  /** Notes PostgreSQL unreachable (or reachable again) while no batch tells. */
  async #ping(): Promise<void> {
    this.#lastPing = Date.now();
    try {
      await this.#options.archive.ping();
      this.#recovered();
    } catch (error) {
      this.#failing(error);
    }
  }

  #failing(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.#failingSince === undefined) {
      this.#failingSince = Date.now();
      this.#options.logger.warn(
        { err: message },
        'history.postgres: the deep archive cannot be written; events wait in the stream (history.stream.maxLen) and are archived once PostgreSQL answers',
      );
    }
  }

  #recovered(): void {
    if (this.#failingSince === undefined) return;
    this.#options.logger.info('history.postgres: the deep archive is written again');
    this.#failingSince = undefined;
  }

  /** Inserts a batch until PostgreSQL takes it (or the node closes), then acknowledges it. */
  async #archive(entries: Entry[]): Promise<void> {
    const { redis, key, archive } = this.#options;
    const events: ArchivedEvent[] = [];
    for (const [id, fields] of entries) {
      const seq = streamIdToSeq(id.toString());
      const entry = entryFields(fields);
      const json = entry === undefined ? undefined : jsonObject(entry.payload);
      if (seq !== undefined && entry !== undefined && json !== undefined)
        events.push({ seq, topic: entry.topic, text: json.text, event: json.event });
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await archive.insert(events);
        break;
      } catch (error) {
        if (this.#closed) return;
        this.#failing(error);
        await this.#sleep(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
      }
    }
    this.#recovered();
    await redis.xack(key, ARCHIVE_GROUP, ...entries.map(([id]) => id));
  }

  /**
   * Takes over entries a dead consumer read and never acknowledged, archives them; counts those
   * the stream trimmed meanwhile (lost to the deep archive) and forgets long-idle empty consumers.
   */
  async #claim(): Promise<void> {
    const { redis, key, consumer, logger } = this.#options;
    let cursor = '0-0';
    do {
      const [next, entries, deleted] = (await redis.callBuffer(
        'XAUTOCLAIM',
        key,
        ARCHIVE_GROUP,
        consumer,
        CLAIM_IDLE_MS,
        cursor,
        'COUNT',
        BATCH,
      )) as [Buffer, Entry[], Buffer[] | undefined];
      cursor = next.toString();
      const live = entries.filter((entry) => entry !== null && entry[1] !== null);
      if (live.length > 0) await this.#archive(live);
      const gone = deleted ?? [];
      if (gone.length > 0) {
        this.#options.onLost(gone.length);
        await redis.xack(key, ARCHIVE_GROUP, ...gone);
        logger.warn(
          { lost: gone.length },
          'history: entries were trimmed from the stream before they were archived (raise history.stream.maxLen)',
        );
      }
    } while (cursor !== '0-0' && !this.#closed);
    const consumers = (await redis.xinfo('CONSUMERS', key, ARCHIVE_GROUP)) as unknown[][];
    for (const info of consumers) {
      const field = (name: string): unknown => info[info.indexOf(name) + 1];
      const name = String(field('name'));
      if (name !== consumer && field('pending') === 0 && Number(field('idle')) > FORGET_IDLE_MS)
        await redis.xgroup('DELCONSUMER', key, ARCHIVE_GROUP, name);
    }
  }

  #sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
      this.#closing,
    ]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake();
    this.#options.redis.disconnect();
    await this.#running;
  }
}
