// Public API of @firehose/client.
export { connect } from './connect.js';
export { FirehoseClient } from './client.js';
export type { SubscribeTarget } from './subscribe-target.js';
export type { FilterEvent, FilterEventStream, FirehoseServices, UndeclaredEvent } from './filter-event.js';
export { isEventOf } from './is-event-of.js';
export type { ConnectOptions, TlsOptions } from './options.js';
export type { LearnedServices } from './broker-services.js';
export type { Logger } from './logger.js';
export type { RetryInfo } from './connection.js';
export type {
  ClientEvents,
  ClientState,
  EventHandler,
  EventsOptions,
  EventStream,
  InvalidEvent,
  PublishOptions,
  PublishRawOptions,
  RawMessage,
  ReceivedEvent,
  SubscribeOptions,
  Unsubscribe,
  Where,
} from './types.js';
// The predicate grammar lives in @firehose/protocol (the broker evaluates `where` server-side too).
export { compilePredicate, type Predicate } from '@firehose/protocol';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export type { OverflowPolicy } from './event-buffer.js';
export { HistoryClient, createHistoryClient } from './history/history-client.js';
export { HistoryStream } from './history/history-stream.js';
export { readServerSentEvents, type ServerSentEvent } from './history/sse-reader.js';
export { deriveHistoryUrl } from './history/history-url.js';
export type { HistoryPosition } from './history/history-position.js';
export type {
  FilterHistoryEvent,
  HistoryClientOptions,
  HistoryEvent,
  HistoryOptions,
  HistoryQuery,
  HistoryState,
  HistoryStreamEvents,
  HistoryTarget,
  HistoryWhere,
  SearchOptions,
  SearchPage,
} from './history/history-types.js';
