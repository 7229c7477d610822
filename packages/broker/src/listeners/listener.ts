import type { ConnectionInfo, FirehoseConnection, OutboundSink } from '../connection/connection.js';
import type { ListenerConfig, ListenerName } from '../config/types.js';

/** What a listener needs from the broker core. */
export interface ListenerHost {
  /** Wraps a new transport; undefined when a connection limit refuses it (the caller closes it). */
  accept(info: ConnectionInfo, sink: OutboundSink): FirehoseConnection | undefined;
  /** Whether WebSocket upgrades' X-Forwarded-For names the client address. */
  readonly trustProxy: boolean;
  /** Whether TCP connections start with a PROXY protocol (v1/v2) header. */
  readonly proxyProtocol: boolean;
}

/** A running listener. */
export interface RunningListener {
  readonly kind: ListenerName;
  readonly settings: ListenerConfig;
  address(): { host: string; port: number };
  /** Re-reads TLS certificate and key into the running server (reload without dropping clients). */
  reloadTls?(settings: ListenerConfig): void;
  /** Stops accepting new connections; existing ones stay (the broker flushes, then closes them). */
  stop(): void;
  /** Ends any connection left and resolves once the server is closed. */
  close(): Promise<void>;
}
