import type { AccountSettings, BrokerSettings, ListenerKind, ListenerSettings } from './settings.js';

/** One listener as written in the config file (DESIGN §6). */
export interface ListenerInput {
  host?: string;
  port?: number;
  path?: string;
  cert?: string | Buffer;
  key?: string | Buffer;
  payload?: 'envelope' | 'data';
}

/** The DESIGN §6 config shape with everything optional. */
export interface BrokerInput {
  id?: string;
  listeners?: Partial<Record<ListenerKind, ListenerInput | ListenerInput[]>>;
  anonymous?: { read?: string[]; write?: string[]; deny?: string[] };
  accounts?: Record<string, { password: string | string[]; write?: string[]; read?: string[] }>;
  validation?: {
    enabled?: boolean;
    undeclared?: 'allow' | 'reject';
    services?: Record<string, { enabled?: boolean }>;
    excerptBytes?: number;
  };
  persistence?: string;
  limits?: Partial<BrokerSettings['limits']>;
  catalogue?: { enabled?: boolean; interval?: number };
  sys?: { enabled?: boolean; interval?: number };
  trustProxy?: boolean;
}

const DEFAULT_PORTS: Record<ListenerKind, number> = { mqtt: 1883, mqtts: 8883, ws: 8080, wss: 8443, http: 9090 };

export const DEFAULT_LIMITS: BrokerSettings['limits'] = {
  maxPacketBytes: 262_144,
  maxConnectBytes: 65_536,
  maxTopicLevels: 32,
  maxTopicBytes: 1024,
  maxConnections: 10_000,
  maxConnectionsPerIp: 100,
  connectTimeoutMs: 10_000,
  keepaliveMax: 0,
  queueSoftBytes: 1_048_576,
  queueHardBytes: 8_388_608,
  inflight: 1000,
  sessionExpiry: 86_400,
  offlineMessages: 10_000,
  sessionsPerIp: 100,
};

/** Fills defaults and normalises lists; the config module has already validated the shape. */
export function resolveSettings(input: BrokerInput = {}): BrokerSettings {
  const listeners = {} as Record<ListenerKind, ListenerSettings[]>;
  for (const kind of Object.keys(DEFAULT_PORTS) as ListenerKind[]) {
    const raw = input.listeners?.[kind];
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    listeners[kind] = list.map((l) => ({
      host: l.host ?? '0.0.0.0',
      port: l.port ?? DEFAULT_PORTS[kind],
      path: l.path ?? '/mqtt',
      ...(l.cert === undefined ? {} : { cert: l.cert }),
      ...(l.key === undefined ? {} : { key: l.key }),
      payload: l.payload ?? 'envelope',
    }));
  }
  const accounts = new Map<string, AccountSettings>();
  for (const [name, account] of Object.entries(input.accounts ?? {})) {
    accounts.set(name, {
      passwords: Array.isArray(account.password) ? account.password : [account.password],
      write: account.write ?? [],
      read: account.read ?? ['#', '$SYS/#', '$firehose/#'],
    });
  }
  const disabledServices = new Set<string>();
  for (const [name, service] of Object.entries(input.validation?.services ?? {})) {
    if (service.enabled === false) disabledServices.add(name);
  }
  return {
    ...(input.id === undefined ? {} : { id: input.id }),
    listeners,
    anonymous: {
      read: input.anonymous?.read ?? ['#', '$SYS/#', '$firehose/#'],
      write: input.anonymous?.write ?? [],
      deny: input.anonymous?.deny ?? [],
    },
    accounts,
    validation: {
      enabled: input.validation?.enabled ?? true,
      undeclared: input.validation?.undeclared ?? 'allow',
      disabledServices,
      excerptBytes: input.validation?.excerptBytes ?? 1024,
    },
    persistence: input.persistence ?? 'memory',
    limits: { ...DEFAULT_LIMITS, ...input.limits },
    catalogue: { enabled: input.catalogue?.enabled ?? true, intervalMs: (input.catalogue?.interval ?? 5) * 1000 },
    sys: { enabled: input.sys?.enabled ?? true, intervalMs: (input.sys?.interval ?? 10) * 1000 },
    trustProxy: input.trustProxy ?? false,
  };
}
