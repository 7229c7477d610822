// Public API of @firehose/client.
export { compilePredicate } from './predicate/compile-predicate.js';
export type { Predicate } from './predicate/evaluator.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export type { OverflowPolicy } from './event-buffer.js';
