import { redactSecrets, secretMarkers } from '@firehose/schema';
import type { BrokerConfig } from './config/types.js';

/**
 * The refused-publish records. The public one goes to `$firehose/invalid/<service>`, which anyone
 * who may read `$firehose/#` reads (anonymous clients, by default): it carries no byte of the
 * payload. The detail record adds a redacted payload excerpt, the full reason and the client id,
 * and goes to `$firehose/invalid-detail/<service>/<publisher>`, which only the accounts
 * `validation.details` names may read (the ACL enforces it, see `auth/acl.ts`).
 */

/** What `$firehose/invalid/<service>` carries for one refused publish: no payload bytes. */
export interface InvalidRecord {
  time: string;
  topic: string;
  service: string;
  /** The publishing account, or `anonymous`. */
  publisher: string;
  /** `invalid` (failed its schema) or `undeclared` (no schema declares the topic, and undeclared topics are rejected). */
  status: 'invalid' | 'undeclared';
  code: string;
  /** Why, without quoting the payload (the error's `redactedMessage`). */
  reason: string;
  /** JSON path of the offending field, when known. */
  path?: string;
  eventType?: string;
  /** Payload size in bytes. */
  bytes: number;
}

/** What `$firehose/invalid-detail/<service>/<publisher>` carries (and the broker's `invalid` event). */
export interface InvalidDetail extends Omit<InvalidRecord, 'reason'> {
  /** Why, quoting the offending value where the check does (the error's full message). */
  reason: string;
  clientId: string;
  /**
   * The payload's first `validation.invalidExcerptBytes` bytes as text, with every object a
   * schema marks never to be sent (a `no_log` result) replaced first. Absent when the payload
   * could not be parsed to redact it and mentions a secret marker.
   */
  excerpt?: string;
  /** Set when the excerpt was redacted, or withheld (`excerpt` absent). */
  redacted?: true;
}

/** Topic prefix of the detail records. */
export const INVALID_DETAIL_PREFIX = '$firehose/invalid-detail/';

/** Filter of every detail record. */
export const INVALID_DETAIL_FILTER = '$firehose/invalid-detail/#';

/** Publisher level of an anonymous publisher's detail records (the placeholder level). */
const ANONYMOUS_LEVEL = '-';

/**
 * The topic level naming a publisher in `$firehose/invalid-detail/<service>/<level>`: the account
 * name, percent-encoded so that `/`, `+` and `#` stay inside one level; `-` for anonymous (an
 * account named `-` gets `%2D`, so nobody can read another's records by choosing a name).
 */
export function publisherLevel(account: string | undefined): string {
  if (account === undefined) return ANONYMOUS_LEVEL;
  return account === ANONYMOUS_LEVEL ? '%2D' : encodeURIComponent(account);
}

/** `$firehose/invalid-detail/<service>/<publisher level>`. */
export function invalidDetailTopic(service: string, account: string | undefined): string {
  return `${INVALID_DETAIL_PREFIX}${service}/${publisherLevel(account)}`;
}

/** Whether anyone may read detail records, so whether the broker publishes them at all. */
export function detailsWanted(config: Pick<BrokerConfig, 'validation'>): boolean {
  const { details } = config.validation;
  return details.publisher || details.readers.length > 0;
}

let markers: readonly string[] | undefined;

/**
 * The excerpt of a refused payload for its detail record: the raw first `cap` bytes when nothing
 * in it is marked secret; the redacted JSON's first `cap` bytes when something is; nothing when
 * the payload does not parse as JSON (so cannot be redacted) and mentions a secret marker.
 * `parsed` is the payload already parsed, when the caller has it.
 */
export function redactedExcerpt(
  payload: Buffer,
  cap: number,
  parsed?: unknown,
): { excerpt?: string; redacted?: true } {
  markers ??= secretMarkers();
  let value = parsed;
  if (value === undefined) {
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      // Not JSON: nothing to redact structurally, so a mention of a marker withholds it all.
      const text = payload.toString('utf8');
      if (markers.some((marker) => text.includes(marker))) return { redacted: true };
      return { excerpt: payload.subarray(0, cap).toString('utf8') };
    }
  }
  const redacted = redactSecrets(value, markers);
  if (redacted === value) return { excerpt: payload.subarray(0, cap).toString('utf8') };
  return { excerpt: Buffer.from(JSON.stringify(redacted)).subarray(0, cap).toString('utf8'), redacted: true };
}

/** One refused publish: its public record, its detail record and where the detail goes. */
export interface Refusal {
  service: string;
  record: InvalidRecord;
  detail: InvalidDetail;
  /** `$firehose/invalid-detail/<service>/<publisher level>`. */
  detailTopic: string;
}

/** The public record of a detail record: what anyone who may read `$firehose/#` may read. */
export function publicRecord(detail: InvalidDetail, reason: string): InvalidRecord {
  return {
    time: detail.time,
    topic: detail.topic,
    service: detail.service,
    publisher: detail.publisher,
    status: detail.status,
    code: detail.code,
    reason,
    ...(detail.path === undefined ? {} : { path: detail.path }),
    ...(detail.eventType === undefined ? {} : { eventType: detail.eventType }),
    bytes: detail.bytes,
  };
}
