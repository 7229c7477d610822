export {
  FirehoseError,
  isFirehoseError,
  valueKind,
  type FirehoseErrorCode,
  type FirehoseErrorOptions,
} from './errors.js';
export {
  createEvent,
  parseEvent,
  validateEnvelope,
  type CreateEventInput,
  type FirehoseEvent,
} from './envelope.js';
export { eventId, randomEventId, type EventIdentity } from './event-id.js';
export { dataschemaUrn, parseDataschema } from './dataschema.js';
export { isValidFilter, isValidTopic, matches, validateFilter, validateTopic } from './topic.js';
export { PLACEHOLDER_LEVEL, decodeLevel, encodeLevel } from './level.js';
export { closestName, editDistance } from './closest-name.js';
export { compilePredicate } from './predicate/compile-predicate.js';
export type { Predicate } from './predicate/evaluator.js';
