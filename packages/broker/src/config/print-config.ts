import { stringify } from 'yaml';
import { maskPersistence } from './parse-persistence.js';
import type {
  BrokerConfig,
  BrokerConfigInput,
  HistoryInput,
  ListenerConfig,
  ListenerConfigInput,
  ListenerName,
} from './types.js';

const MASK = '***';

/**
 * The effective config as YAML in the config-file shape, secrets masked: password hashes keep only
 * their cost parameters (`scrypt$16384$8$1$***`), inline TLS keys and a Redis password are replaced
 * by `***` (key file paths are shown; their content never is). Without secrets, the output is a
 * config file that loads back to the same config.
 */
export function printConfig(config: BrokerConfig): string {
  return `# Effective firehose broker config (secrets masked)\n${stringify(toInput(config), { lineWidth: 0 })}`;
}

function toInput(config: BrokerConfig): BrokerConfigInput {
  const listeners: NonNullable<BrokerConfigInput['listeners']> = {};
  for (const [name, list] of Object.entries(config.listeners) as [ListenerName, ListenerConfig[]][]) {
    if (list.length === 0) continue;
    const masked = list.map((listener) => maskListener(name, listener));
    listeners[name] = masked.length === 1 ? masked[0]! : masked;
  }
  return {
    listeners,
    anonymous: config.anonymous,
    accounts: Object.fromEntries(
      Object.values(config.accounts).map((account) => [
        account.name,
        {
          password: account.passwords.map(maskHash),
          write: [...account.write],
          read: [...account.read],
          clientIds: [...account.clientIds],
          payload: account.payload,
        },
      ]),
    ),
    validation: config.validation,
    persistence: maskPersistence(config.persistence),
    limits: config.limits,
    trustProxy: config.trustProxy,
    catalogue: config.catalogue,
    sys: config.sys,
    history: maskHistory(config.history),
    log: config.log,
  };
}

function maskListener(name: ListenerName, listener: ListenerConfig): ListenerConfigInput {
  const result: ListenerConfigInput = { ...listener };
  // The HTTP listener serves metrics, not MQTT payloads.
  if (name === 'http') delete result.payload;
  // Certificates and CA bundles are public; only the private key is secret.
  if (listener.key?.includes('-----BEGIN') === true) result.key = MASK;
  for (const field of ['cert', 'ca'] as const) {
    const value = listener[field];
    if (value?.includes('-----BEGIN') === true) result[field] = '(inline PEM)';
  }
  return result;
}

/** The deep archive's URL without its password. */
function maskHistory(history: BrokerConfig['history']): HistoryInput {
  const { postgres, ...rest } = history;
  if (postgres === undefined) return rest;
  const url = new URL(postgres);
  if (url.password !== '') url.password = MASK;
  return { ...rest, postgres: url.toString() };
}

function maskHash(hash: string): string {
  const parts = hash.split('$');
  return parts.length === 6 ? `${parts.slice(0, 4).join('$')}$${MASK}` : MASK;
}
