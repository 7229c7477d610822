import type { FirehoseEvent } from '@firehose/protocol';
import type { Catalogue } from '@firehose/schema';

/** One message as `tail` sees it: the parsed envelope when there is one, the bytes always. */
export interface TailRecord {
  readonly topic: string;
  readonly receivedAt: Date;
  /** Undefined for payloads that are not a firehose envelope (`$SYS` counters, foreign publishers). */
  readonly event: FirehoseEvent | undefined;
  /** Topic parameters parsed by the schema's template (`project`, `change`, …). */
  readonly params: Readonly<Record<string, string>>;
  readonly payload: Uint8Array;
  /** Why `event` is missing or not schema-valid, when it is. */
  readonly problem?: string;
  /** The archive's cursor (`history`, `tail --since`): pass it back to continue after this event. */
  readonly cursor?: string;
  /**
   * The services the event was decoded with (the built-in ones plus a site's, learned from the
   * broker): its type's render rules are looked up there. @default the built-in services
   */
  readonly catalogue?: Catalogue;
}

/** First topic level: the publishing service (docs/architecture.md#what-firehose-is). */
export function serviceOf(topic: string): string {
  const slash = topic.indexOf('/');
  return slash === -1 ? topic : topic.slice(0, slash);
}

const FAILURE_WORDS = new Set([
  'failure',
  'failed',
  'error',
  'merge-failure',
  'merge-failed',
  'merge_failure',
  'unreachable',
  'post_failure',
  'timed_out',
  'node_failure',
  'retry_limit',
]);

/**
 * True when the event reports a failure (a failed build, a merge failure, an unreachable host), the
 * only case `tail` paints red. Looks at the fields each service uses for outcomes
 * (docs/architecture.md#topics) and at the topic's last level (ansible's `…/FAILED`).
 */
export function isFailure(record: TailRecord): boolean {
  const last = record.topic.slice(record.topic.lastIndexOf('/') + 1).toLowerCase();
  if (FAILURE_WORDS.has(last)) return true;
  const event = record.event;
  if (event === undefined) return false;
  if (event.type.endsWith('.merge-failed')) return true;
  const data = event.data;
  if (typeof data !== 'object' || data === null) return false;
  const fields = data as Record<string, unknown>;
  const buildset = fields.buildset as Record<string, unknown> | undefined;
  for (const value of [fields.action, fields.result, fields.status, buildset?.result]) {
    if (typeof value === 'string' && FAILURE_WORDS.has(value.toLowerCase())) return true;
  }
  return false;
}
