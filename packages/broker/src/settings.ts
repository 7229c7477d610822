/**
 * The broker's resolved runtime settings: every value present, every listener a list. Built from
 * the validated config (see `src/config/`), so the hot path never checks for `undefined`.
 */
export type ListenerKind = 'mqtt' | 'mqtts' | 'ws' | 'wss' | 'http';

export interface ListenerSettings {
  host: string;
  port: number;
  /** WebSocket path. */
  path: string;
  /** PEM certificate and key (TLS listeners). */
  cert?: string | Buffer;
  key?: string | Buffer;
  payload: 'envelope' | 'data';
}

export interface AccountSettings {
  /** One or more `scrypt$…` hashes (several during rotation). */
  passwords: string[];
  write: string[];
  read: string[];
}

export interface LimitSettings {
  maxPacketBytes: number;
  maxConnectBytes: number;
  maxTopicLevels: number;
  maxTopicBytes: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  connectTimeoutMs: number;
  /** Largest keepalive (seconds) accepted; 0 = no limit. */
  keepaliveMax: number;
  queueSoftBytes: number;
  queueHardBytes: number;
  inflight: number;
  /** Persistent sessions idle longer than this many seconds are removed; 0 = never. */
  sessionExpiry: number;
  /** Messages kept per offline persistent session. */
  offlineMessages: number;
  /** Persistent sessions per IP. */
  sessionsPerIp: number;
}

export interface BrokerSettings {
  id?: string;
  listeners: Record<ListenerKind, ListenerSettings[]>;
  anonymous: { read: string[]; write: string[]; deny: string[] };
  accounts: Map<string, AccountSettings>;
  validation: {
    enabled: boolean;
    undeclared: 'allow' | 'reject';
    disabledServices: Set<string>;
    /** Bytes of the offending payload kept in a `$firehose/invalid/…` record. */
    excerptBytes: number;
  };
  persistence: string;
  limits: LimitSettings;
  catalogue: { enabled: boolean; intervalMs: number };
  sys: { enabled: boolean; intervalMs: number };
  trustProxy: boolean;
}
