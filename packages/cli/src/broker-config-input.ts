import type {
  BrokerConfig,
  BrokerConfigInput,
  ListenerConfigInput,
  PersistenceConfig,
} from '@firehose/broker';

/**
 * The loaded config (file < env < flags, resolved and checked by `loadConfig`) back in the input
 * shape `createBroker` takes. Unlike the broker's `printConfig`, nothing is masked: this goes to
 * the broker, not the terminal. Resolving it again is idempotent.
 */
export function configToInput(config: BrokerConfig): BrokerConfigInput {
  const listeners: NonNullable<BrokerConfigInput['listeners']> = {};
  for (const [name, list] of Object.entries(config.listeners) as [
    keyof typeof config.listeners,
    ListenerConfigInput[],
  ][]) {
    if (list.length === 0) continue;
    const inputs = list.map((listener) => {
      const input: ListenerConfigInput = { ...listener };
      // The HTTP listener serves metrics, not MQTT payloads, and rejects the key.
      if (name === 'http') delete input.payload;
      return input;
    });
    listeners[name] = inputs.length === 1 ? inputs[0]! : inputs;
  }
  return {
    listeners,
    anonymous: config.anonymous,
    accounts: Object.fromEntries(
      Object.values(config.accounts).map((account) => [
        account.name,
        {
          password: [...account.passwords],
          write: [...account.write],
          read: [...account.read],
          clientIds: [...account.clientIds],
        },
      ]),
    ),
    validation: config.validation,
    persistence: persistenceString(config.persistence),
    limits: config.limits,
    trustProxy: config.trustProxy,
    catalogue: config.catalogue,
    sys: config.sys,
    log: config.log,
  };
}

function persistenceString(persistence: PersistenceConfig): string {
  switch (persistence.kind) {
    case 'memory':
      return 'memory';
    case 'level':
      return `level:${persistence.path}`;
    case 'redis':
      return persistence.url;
  }
}
