import type { InvalidDetail } from './invalid-records.js';
import type { RefusalReason } from './stats.js';

/** Events a FirehoseBroker emits. */
export interface BrokerEvents {
  /** Every listener is accepting connections. */
  listening: [];
  /** `close()` finished. */
  closed: [];
  /** A client completed CONNECT. */
  clientConnected: [{ clientId: string; username: string | undefined; ip: string; listener: string }];
  clientDisconnected: [{ clientId: string }];
  /**
   * A publish was acknowledged but not delivered (failed validation, or undeclared and rejected):
   * its detail record (full reason, client id, excerpt with secrets redacted), in process only.
   */
  invalid: [InvalidDetail];
  /** A message or connection was refused by a rule or limit. */
  refused: [{ reason: RefusalReason; ip?: string; clientId?: string; topic?: string }];
  /** An internal error (persistence, emitter); the broker keeps running. */
  error: [Error];
}
