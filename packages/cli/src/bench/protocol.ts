/** What the bench parent tells a worker process (argv JSON) and what workers send back (IPC). */
export interface WorkerPlan {
  readonly url: string;
  readonly index: number;
  /** Clients publishing from this process. */
  readonly publishers: number;
  /** Clients subscribing from this process. */
  readonly subscribers: number;
  readonly qos: 0 | 1;
  /** Payload bytes (the envelope is padded to about this size). */
  readonly size: number;
  /** Messages per second per publisher; 0 = as fast as PUBACKs (QoS 1) or the socket (QoS 0) allow. */
  readonly rate: number;
  readonly durationMs: number;
  readonly topic: string;
}

export type ParentMessage = { kind: 'start' } | { kind: 'finish' };

export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'published'; sent: number; failed: number; payloadBytes: number }
  | { kind: 'received'; received: number; latencies: number[] }
  | { kind: 'error'; message: string };

/** Most latency samples a subscriber keeps (reservoir sampling beyond that). */
export const MAX_SAMPLES = 20_000;

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
