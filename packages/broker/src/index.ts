export {
  createBroker,
  FirehoseBroker,
  type BrokerEvents,
  type CatalogueReload,
  type CreateBrokerOptions,
} from './broker.js';
export { hashPassword } from './auth/password.js';
export type {
  AccountInput,
  AnonymousInput,
  BrokerConfig,
  InvalidDetailsInput,
  BrokerConfigInput,
  LimitsInput,
  ListenerConfigInput,
  ValidationInput,
} from './config/types.js';
export { resolveConfig } from './config/resolve-config.js';
export { historyOpenApi } from './history/openapi.js';
export type { CatalogueRecord } from './live-catalogue.js';
export {
  INVALID_DETAIL_FILTER,
  invalidDetailTopic,
  type InvalidDetail,
  type InvalidRecord,
} from './invalid-records.js';
export type { Logger } from './logger.js';
export type { RefusalReason } from './stats.js';
// Config and auth modules (src/config, src/auth).
export type {
  Account,
  BrokerLimits,
  ListenerConfig,
  ListenerEntry,
  ListenerName,
  ListenerPayload,
  LogLevel,
  PersistenceConfig,
  ServiceValidationInput,
  TrustProxyInput,
} from './config/types.js';
export { type ResolveOptions } from './config/resolve-config.js';
export { checkConfigFiles, loadConfig, readConfigFile, type ConfigSources } from './config/load-config.js';
export { CONFIG_FILE_ENV, envToConfig } from './config/env-to-config.js';
export { COMMAND_FLAGS, flagsToConfig } from './config/flags-to-config.js';
export { printConfig } from './config/print-config.js';
export { OPTIONS, type OptionSpec } from './config/options.js';
export { DEFAULT_LIMITS, DEFAULT_PORTS } from './config/defaults.js';
export { verifyPassword, type ScryptParams } from './auth/password.js';
export {
  createAuthenticator,
  type AuthFailureReason,
  type AuthRequest,
  type AuthResult,
  type Authenticator,
  type AuthenticatorOptions,
  type AuthenticatorStats,
} from './auth/authenticator.js';
export { canPublish, canReceive, canSubscribe, clientIdAllowed, compileAcl, type Acl } from './auth/acl.js';
export { configChanges, type ConfigChanges } from './config/config-changes.js';
