import { isUtf8 } from 'node:buffer';
import { FirehoseError, parseEvent, type FirehoseEvent } from '@firehose/protocol';
import { catalogue as defaultCatalogue, type Catalogue as EventCatalogue } from '@firehose/schema';
import type { AedesPublishPacket, PublishPacket } from '@firehose/aedes';
import type { ClientIdentity } from './access.js';
import type { PublishInspector } from './aedes-hooks.js';
import type { LiveCatalogue } from './live-catalogue.js';
import type { BrokerConfig } from './config/types.js';
import { wrapData } from './ingest/wrap-data.js';
import {
  invalidDetailTopic,
  publicRecord,
  redactedExcerpt,
  type InvalidDetail,
  type Refusal,
} from './invalid-records.js';
import type { Logger } from './logger.js';
import type { EventType } from '@firehose/schema';
import type { BrokerStats } from './stats.js';

/** Invalid records per service per second, at most; the rest are only counted. */
const RECORDS_PER_SECOND = 10;

/** Topics whose declared shape is remembered; past it the memo starts over (bounded memory). */
const TOPIC_MEMO_SIZE = 10_000;

/** Why the publish path refused a message: the error the HTTP intake answers with. */
export interface PublishRefusal {
  readonly code: string;
  readonly message: string;
  readonly redactedMessage: string;
  readonly path?: string | undefined;
}

function serviceOf(topic: string): string {
  const slash = topic.indexOf('/');
  return slash === -1 ? topic : topic.slice(0, slash);
}

/**
 * The publish path's schema check: parse the payload once, `checkEvent` it, count it in the
 * catalogue, and divert what is invalid (acknowledged, not delivered, logged, recorded on
 * `$firehose/invalid/<service>`). Undeclared topics skip parsing unless something needs it.
 */
export class EventInspector implements PublishInspector {
  readonly #config: () => BrokerConfig;
  readonly #stats: BrokerStats;
  readonly #catalogue: LiveCatalogue;
  readonly #logger: Logger;
  readonly #record: (refusal: Refusal) => void;
  /** Parsed envelopes by payload buffer, for the `payload: data` listener (parse once per message). */
  readonly #parsed = new WeakMap<Buffer, FirehoseEvent | null>();
  readonly #dataBytes = new WeakMap<Buffer, Buffer>();
  readonly #recordWindow = new Map<string, { second: number; count: number }>();
  readonly #keepParsed: boolean;
  /** eventTypeForTopic per topic: publishers repeat topics, and the trie walk splits the topic each time. */
  readonly #topicTypes = new Map<string, EventType | null>();
  readonly #events: () => EventCatalogue;

  constructor(
    config: () => BrokerConfig,
    stats: BrokerStats,
    catalogue: LiveCatalogue,
    logger: Logger,
    record: (refusal: Refusal) => void,
    events: () => EventCatalogue = () => defaultCatalogue,
  ) {
    this.#events = events;
    this.#config = config;
    this.#stats = stats;
    this.#catalogue = catalogue;
    this.#logger = logger;
    this.#record = record;
    this.#keepParsed = Object.values(config().listeners).some((list) =>
      list.some((l) => l.payload === 'data'),
    );
  }

  inspect(packet: PublishPacket, identity: ClientIdentity, clientId: string): boolean {
    return this.refusal(packet, identity, clientId) === undefined;
  }

  /**
   * `inspect` with the reason: undefined when the message may be delivered, else why it was
   * diverted (already counted, logged and recorded).
   */
  refusal(packet: PublishPacket, identity: ClientIdentity, clientId: string): PublishRefusal | undefined {
    const topic = packet.topic;
    const publisher = identity.account?.name ?? 'anonymous';
    const validation = this.#config().validation;
    // The topic's shape only: a declared shape with a badly encoded level is checked (and refused
    // as INVALID_TOPIC by checkEvent), not waved through as undeclared.
    const declared = this.#eventTypeFor(topic);
    if (declared === undefined) {
      this.#catalogue.undeclared(topic, publisher);
      // Undeclared topics are allowed by default: nothing more to do, not even the service name.
      if (!validation.enabled || validation.undeclared !== 'reject') return undefined;
      const service = serviceOf(topic);
      if (validation.services[service]?.enabled !== false) {
        const error: PublishRefusal = {
          code: 'UNDECLARED_TOPIC',
          message: `No schema declares topic ${topic}, and validation.undeclared is reject.`,
          redactedMessage: `No schema declares topic ${topic}, and validation.undeclared is reject.`,
        };
        this.#divert(packet, identity, clientId, service, 'undeclared', error);
        return error;
      }
      return undefined;
    }
    const type = declared.type;
    const service = declared.service;
    let event: FirehoseEvent;
    if (identity.account?.payload === 'data') {
      // An account marked `payload: data` publishes its service's own JSON (Zuul's MQTT reporter,
      // an Ansible callback): wrapped here, before anything else sees it (docs/architecture.md#raw-publishers).
      const wrapped = this.#wrap(packet, declared);
      if (wrapped instanceof FirehoseError) {
        this.#catalogue.declared(type, publisher, true);
        this.#divert(packet, identity, clientId, service, 'invalid', wrapped, type);
        return wrapped;
      }
      event = wrapped;
    }
    if (!validation.enabled || validation.services[service]?.enabled === false) {
      this.#catalogue.declared(type, publisher);
      return undefined;
    }
    const payload = packet.payload as Buffer;
    try {
      // Buffer's native UTF-8 check and decode are ~3× faster than parseEvent's fatal TextDecoder;
      // invalid UTF-8 still goes to parseEvent as bytes, for its error.
      event ??= parseEvent(isUtf8(payload) ? payload.toString('utf8') : payload);
    } catch (error) {
      this.#catalogue.declared(type, publisher, true);
      this.#divert(packet, identity, clientId, service, 'invalid', error as FirehoseError, type);
      return error as FirehoseError;
    }
    const result = this.#events().checkEvent(topic, event);
    if (result.status === 'invalid') {
      this.#catalogue.declared(type, publisher, true);
      this.#divert(
        packet,
        identity,
        clientId,
        service,
        'invalid',
        result.error,
        result.eventType?.type ?? type,
        event,
      );
      return result.error;
    }
    this.#catalogue.declared(type, publisher);
    // Kept for `payload: data` listeners only: a WeakMap entry per message costs GC time.
    if (this.#keepParsed) this.#parsed.set(payload, event);
    return undefined;
  }

  /** Drops what was learnt of topics: the catalogue was replaced (a reload). */
  forgetTopics(): void {
    this.#topicTypes.clear();
  }

  #eventTypeFor(topic: string): EventType | undefined {
    let type = this.#topicTypes.get(topic);
    if (type === undefined) {
      if (this.#topicTypes.size >= TOPIC_MEMO_SIZE) this.#topicTypes.clear();
      type = this.#events().eventTypeForTopic(topic) ?? null;
      this.#topicTypes.set(topic, type);
    }
    return type ?? undefined;
  }

  /** A raw publisher's JSON in its event type's envelope (payload replaced), or why it cannot be. */
  #wrap(packet: PublishPacket, eventType: EventType): FirehoseEvent | FirehoseError {
    const payload = packet.payload as Buffer;
    let data: unknown;
    try {
      data = JSON.parse(payload.toString('utf8'));
    } catch (cause) {
      return new FirehoseError(
        'INVALID_PAYLOAD',
        `The payload is not JSON (${(cause as Error).message}); this account publishes its events as JSON, the broker wraps them.`,
        {
          path: '',
          redactedMessage:
            'The payload is not JSON; this account publishes its events as JSON, the broker wraps them.',
        },
      );
    }
    const source =
      this.#events().getService(eventType.service)?.source ?? `urn:firehose:service:${eventType.service}`;
    const event = wrapData(eventType, source, data);
    packet.payload = Buffer.from(JSON.stringify(event));
    return event;
  }

  #divert(
    packet: PublishPacket,
    identity: ClientIdentity,
    clientId: string,
    service: string,
    status: InvalidDetail['status'],
    error: PublishRefusal,
    eventType?: string,
    parsed?: unknown,
  ): void {
    this.#stats.drop(status === 'invalid' ? 'invalid' : 'undeclared_rejected');
    const publisher = identity.account?.name ?? 'anonymous';
    // The warning says why without quoting the payload; the full reason (which may quote a
    // value) is for debug logs and the detail record's readers.
    this.#logger.warn(
      {
        topic: packet.topic,
        publisher,
        clientId,
        code: error.code,
        path: error.path,
        reason: error.redactedMessage,
      },
      'publish diverted: not delivered',
    );
    this.#logger.debug(
      { topic: packet.topic, publisher, clientId, reason: error.message },
      'publish diverted: full reason',
    );
    const second = Math.floor(Date.now() / 1000);
    const window = this.#recordWindow.get(service);
    if (window !== undefined && window.second === second) {
      if (window.count >= RECORDS_PER_SECOND) return;
      window.count++;
    } else {
      this.#recordWindow.set(service, { second, count: 1 });
    }
    const payload = packet.payload as Buffer;
    const detail: InvalidDetail = {
      time: new Date().toISOString(),
      topic: packet.topic,
      service,
      publisher,
      status,
      code: error.code,
      reason: error.message,
      ...(error.path === undefined ? {} : { path: error.path }),
      ...(eventType === undefined ? {} : { eventType }),
      bytes: payload.length,
      clientId,
      ...redactedExcerpt(payload, this.#config().validation.invalidExcerptBytes, parsed),
    };
    this.#record({
      service,
      record: publicRecord(detail, error.redactedMessage),
      detail,
      detailTopic: invalidDetailTopic(service, identity.account?.name),
    });
  }

  /** For `payload: data` listeners: the envelope's `data` as JSON; non-envelopes pass unchanged. */
  rewrite(packet: AedesPublishPacket): AedesPublishPacket | undefined {
    if (packet.topic.charCodeAt(0) === 36) return undefined; // $SYS, $firehose: broker JSON, not envelopes
    const payload = packet.payload as Buffer;
    let data = this.#dataBytes.get(payload);
    if (data === undefined) {
      let event = this.#parsed.get(payload);
      if (event === undefined) {
        // Not parsed on the publish path (undeclared topic, validation off, or another cluster node).
        try {
          event = parseEvent(payload);
        } catch {
          event = null;
        }
        this.#parsed.set(payload, event);
      }
      if (event === null) return undefined;
      data = Buffer.from(JSON.stringify(event.data));
      this.#dataBytes.set(payload, data);
    }
    return { ...packet, payload: data };
  }
}
