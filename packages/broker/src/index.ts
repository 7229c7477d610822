export { createBroker, FirehoseBroker, type BrokerEvents, type CreateBrokerOptions } from './broker.js';
export { hashPassword } from './password.js';
export type { BrokerInput, ListenerInput } from './resolve-settings.js';
export type { Logger } from './logger.js';
export type { RefusalReason } from './stats.js';
