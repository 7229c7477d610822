import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '@firehose/schema';
import type { AccessControl } from '../access.js';
import type { Account, BrokerConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import type { HistoryRedis } from '../persistence.js';
import { Archive } from './archive.js';
import { basicCredentials } from './basic-auth.js';
import { getEvent, searchEvents, sendError, streamEvents, type HistoryHost } from './http-api.js';
import { LiveHub } from './live-hub.js';
import type { HistoryStore } from './history-store.js';
import { historyOpenApi } from './openapi.js';
import { ClusterHistoryStore } from './cluster-store.js';
import { PostgresArchive } from './postgres-archive.js';
import { HISTORY_STREAM_KEY, RedisStreamLog } from './redis-stream-log.js';
import { StreamArchiver } from './stream-archiver.js';

/** Seconds between `: heartbeat` comments on a stream (contract B: 15). */
const HEARTBEAT_MS = 15_000;

export interface HistoryOptions {
  logger: Logger;
  access: () => AccessControl;
  /** Every declared service, built-in and site (search keys, topic parameters). */
  events: () => Catalogue;
  /** Events delivered but not kept (`count` of them, 1 unless told). */
  onOverflow: (count?: number) => void;
  /** This node's id: its name in the deep archive's consumer group. */
  nodeId?: string;
  /** With Redis persistence: the connections of the cluster-wide log. */
  redis?: HistoryRedis | undefined;
  /** @default 15000 */
  heartbeatMs?: number;
}

/**
 * The broker's history (docs/architecture.md#history): the store and the live hub, and the `/v1/…`
 * endpoints on the HTTP listener. On one node the store is the SQLite archive, fed together with
 * the hub from aedes' `beforeDeliver` (the synchronous step that hands an accepted message to live
 * delivery). On a Redis cluster (docs/architecture.md#cluster-history) `beforeDeliver` appends to
 * the cluster's Redis Stream, and the hub is fed by this node's tail of that stream.
 */
export class History {
  readonly #archive: Archive | undefined;
  readonly #log: RedisStreamLog | undefined;
  readonly #store: HistoryStore | undefined;
  readonly #deep: PostgresArchive | undefined;
  readonly #archiver: StreamArchiver | undefined;
  readonly hub = new LiveHub();
  readonly #offReason: string;
  readonly #options: HistoryOptions;
  readonly #streamsPerIp: number;
  readonly #streams = new Map<string, number>();

  constructor(config: BrokerConfig, options: HistoryOptions) {
    this.#options = options;
    const { enabled, path, retention, queue, streamsPerIp, stream, postgres } = config.history;
    this.#streamsPerIp = streamsPerIp;
    if (!enabled) {
      this.#offReason = 'History is off on this broker (history.enabled is false).';
    } else if (config.persistence.kind === 'redis') {
      const redis = options.redis;
      if (redis === undefined) throw new Error('history: a Redis cluster needs its connections');
      this.#offReason = '';
      this.#log = new RedisStreamLog({
        writer: redis.writer,
        reader: redis.connect('history-reader'),
        tail: redis.connect('history-tail'),
        hub: this.hub,
        maxLen: stream.maxLen,
        queue,
        logger: options.logger,
        onOverflow: options.onOverflow,
        events: options.events,
      });
      this.#store = this.#log;
      if (postgres !== undefined) {
        const deep = new PostgresArchive({
          url: postgres,
          maxAge: retention.maxAge,
          logger: options.logger,
          events: options.events,
        });
        this.#deep = deep;
        this.#archiver = new StreamArchiver({
          redis: redis.connect('history-archiver'),
          key: HISTORY_STREAM_KEY,
          consumer: options.nodeId ?? `node-${process.pid}-${Date.now()}`,
          archive: deep,
          logger: options.logger,
          onLost: (count) => options.onOverflow(count),
        });
        this.#store = new ClusterHistoryStore(this.#log, deep);
      }
    } else {
      this.#offReason = '';
      this.#archive = new Archive({
        path,
        ...retention,
        queue,
        logger: options.logger,
        onOverflow: options.onOverflow,
        services: () => options.events().services,
      });
      this.#store = this.#archive;
    }
  }

  async open(): Promise<void> {
    await (this.#archive ?? this.#log)?.open();
    if (this.#deep === undefined || this.#archiver === undefined) return;
    // PostgreSQL away at start is an outage like any other: the node starts, events wait in the
    // stream, the archiver retries, and /readyz says what is degraded.
    await this.#deep
      .ready()
      .catch((error: unknown) =>
        this.#options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          `history.postgres: the deep archive ${describeUrl(this.#deep!.url)} cannot be reached; the broker runs without it, events wait in the stream (history.stream.maxLen) and are archived once PostgreSQL answers`,
        ),
      );
    await this.#archiver.start();
  }

  /** Undefined while history works as configured; else a sentence saying what is degraded. */
  degraded(): string | undefined {
    return this.#archiver?.degraded;
  }

  /**
   * aedes' `beforeDeliver`: numbers, archives and streams every accepted event (on a cluster:
   * appends it to the stream); `$` topics never.
   */
  readonly accept = (packet: { topic: string; payload: Buffer | string }): void => {
    if (this.#store === undefined || packet.topic.charCodeAt(0) === 36) return;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    if (this.#archive !== undefined) {
      const seq = this.#archive.accept(packet.topic, payload, Date.now());
      this.hub.publish(seq, packet.topic, payload);
    } else this.#log?.append(packet.topic, payload);
  };

  /** Serves `/v1/…`; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://broker');
    const path = url.pathname;
    if (!path.startsWith('/v1/')) return false;
    if (path === '/v1/openapi.json') {
      res
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify(historyOpenApi(this.#options.events().services)));
      return true;
    }
    const routes = path === '/v1/events' || path.startsWith('/v1/events/') || path === '/v1/stream';
    if (!routes) {
      sendError(
        res,
        404,
        'NOT_FOUND',
        `No such endpoint ${path.slice(0, 128)}; the history API has /v1/events, /v1/events/{cursor-or-id}, /v1/stream and /v1/openapi.json.`,
      );
      return true;
    }
    const archive = this.#store;
    if (archive === undefined) {
      sendError(res, 503, 'HISTORY_OFF', this.#offReason);
      return true;
    }
    this.#reader(req).then(
      (reader) => {
        if (reader === 'refused') {
          sendError(
            res,
            401,
            'UNAUTHORIZED',
            'The credentials were not accepted; give an account name and password with HTTP Basic, or none to read anonymously.',
            undefined,
            { 'www-authenticate': 'Basic realm="firehose"' },
          );
          return;
        }
        const host = this.#host(archive, reader.account, ipOf(req));
        if (path === '/v1/events') searchEvents(host, res, url);
        else if (path === '/v1/stream') streamEvents(host, req, res, url);
        else getEvent(host, res, safeDecode(path.slice('/v1/events/'.length)));
      },
      () => sendError(res, 503, 'UNAVAILABLE', 'Authentication is unavailable just now; try again.'),
    );
    return true;
  }

  /** Anonymous without credentials; an account with good HTTP Basic ones; refused otherwise. */
  async #reader(req: IncomingMessage): Promise<{ account: Account | undefined } | 'refused'> {
    const header = req.headers.authorization;
    if (header === undefined) return { account: undefined };
    const credentials = basicCredentials(header);
    if (credentials === undefined) return 'refused';
    const info = { ip: ipOf(req), listener: 'http', payload: 'envelope' as const };
    const result = await this.#options
      .access()
      .authenticate(info, '', credentials.username, Buffer.from(credentials.password));
    return result.ok && result.identity.account !== undefined
      ? { account: result.identity.account }
      : 'refused';
  }

  #host(archive: HistoryStore, account: Account | undefined, ip: string): HistoryHost {
    const acl = this.#options.access().acl;
    return {
      archive,
      hub: this.hub,
      events: this.#options.events(),
      // What MQTT would deliver: a subscription to the topic itself, and the per-message check.
      mayRead: (topic) => acl.canSubscribe(account, topic) && acl.canReceive(account, topic),
      heartbeatMs: this.#options.heartbeatMs ?? HEARTBEAT_MS,
      openStream: () => {
        const open = this.#streams.get(ip) ?? 0;
        if (open >= this.#streamsPerIp) return false;
        this.#streams.set(ip, open + 1);
        return true;
      },
      closeStream: () => {
        const open = (this.#streams.get(ip) ?? 1) - 1;
        if (open <= 0) this.#streams.delete(ip);
        else this.#streams.set(ip, open);
      },
    };
  }

  async close(): Promise<void> {
    await this.#archiver?.close();
    await (this.#archive ?? this.#log)?.close();
    await this.#deep?.close();
  }
}

/** A PostgreSQL URL without its password: host, port and database. */
function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

function ipOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
