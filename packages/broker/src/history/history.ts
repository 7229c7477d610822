import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Acl } from '../auth/acl.js';
import type { BrokerConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import { Archive } from './archive.js';
import { handleEvents, sendError } from './http-api.js';

const CLUSTER_OFF =
  'History is off on a Redis cluster: each node would number events on its own; cluster-wide history comes separately.';

/**
 * The broker's history (docs/architecture.md#history): the archive, fed from aedes'
 * `beforeDeliver` (the synchronous step that hands an accepted message to live delivery), and the
 * `/v1/…` endpoints on the HTTP listener.
 */
export class History {
  readonly archive: Archive | undefined;
  readonly #offReason: string;
  readonly #acl: () => Acl;

  constructor(config: BrokerConfig, logger: Logger, acl: () => Acl, onOverflow: () => void) {
    this.#acl = acl;
    const { enabled, path, retention, queue } = config.history;
    if (enabled && config.persistence.kind === 'redis') {
      this.#offReason = CLUSTER_OFF;
      logger.warn(CLUSTER_OFF);
    } else if (!enabled) {
      this.#offReason = 'History is off on this broker (history.enabled is false).';
    } else {
      this.#offReason = '';
      this.archive = new Archive({ path, ...retention, queue, logger, onOverflow });
    }
  }

  get enabled(): boolean {
    return this.archive !== undefined;
  }

  open(): Promise<void> {
    return this.archive?.open() ?? Promise.resolve();
  }

  /** aedes' `beforeDeliver`: numbers and archives every accepted event; `$SYS`/`$firehose` never. */
  readonly accept = (packet: { topic: string; payload: Buffer | string }): void => {
    if (this.archive === undefined || packet.topic.charCodeAt(0) === 36) return;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.archive.accept(packet.topic, payload, Date.now());
  };

  /** Serves `/v1/…`; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://broker');
    if (!url.pathname.startsWith('/v1/')) return false;
    const acl = this.#acl();
    const host = {
      archive: this.archive,
      offReason: this.#offReason,
      mayRead: (topic: string) => acl.canSubscribe(undefined, topic) && acl.canReceive(undefined, topic),
    };
    if (handleEvents(host, req, res, url)) return true;
    sendError(
      res,
      404,
      'NOT_FOUND',
      `No such endpoint ${url.pathname}; the history API has /v1/events and /v1/events/{cursor-or-id}.`,
    );
    return true;
  }

  close(): Promise<void> {
    return this.archive?.close() ?? Promise.resolve();
  }
}
