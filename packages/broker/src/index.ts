export { createBroker, FirehoseBroker, type BrokerEvents, type CreateBrokerOptions } from './broker.js';
export { hashPassword } from './auth/password.js';
export type {
  AccountInput,
  AnonymousInput,
  BrokerConfig,
  BrokerConfigInput,
  LimitsInput,
  ListenerConfigInput,
  ValidationInput,
} from './config/types.js';
export { resolveConfig } from './config/resolve-config.js';
export type { Logger } from './logger.js';
export type { RefusalReason } from './stats.js';
