import { compileAcl, type Acl } from './auth/acl.js';
import { createAuthenticator, type AuthFailureReason, type Authenticator } from './auth/authenticator.js';
import type { Account, BrokerConfig } from './config/types.js';
import type { ConnectionInfo } from './connection/connection.js';
import type { Logger } from './logger.js';

/** Who a connected client is. */
export interface ClientIdentity {
  /** The service account, or undefined for anonymous clients. */
  readonly account: Account | undefined;
  readonly info: ConnectionInfo;
  /** Set once a subscription may match topics `canReceive` must filter (skips the check otherwise). */
  checkReceive: boolean;
}

/** CONNACK return codes [MQTT-3.2.2.3]. */
export type ConnackCode = 2 | 3 | 4 | 5;

export type AuthResult =
  { ok: true; identity: ClientIdentity } | { ok: false; code: ConnackCode; reason: AuthFailureReason };

const CODES: Record<AuthFailureReason, ConnackCode> = {
  'bad-credentials': 4,
  'client-id-reserved': 2,
  'rate-limited': 3,
  busy: 3,
};

/**
 * Authentication and ACL decisions for the aedes hooks, over the auth module (`src/auth/`):
 * recompiled as a whole when accounts are reloaded.
 */
export class AccessControl {
  #acl: Acl;
  #authenticator: Authenticator;
  readonly #logger: Logger;
  readonly #onVerify: ((kind: 'account' | 'dummy') => void) | undefined;

  constructor(config: BrokerConfig, logger: Logger, onVerify?: (kind: 'account' | 'dummy') => void) {
    this.#logger = logger;
    this.#onVerify = onVerify;
    this.#acl = compileAcl(config);
    this.#authenticator = this.#createAuthenticator(config);
  }

  #createAuthenticator(config: BrokerConfig): Authenticator {
    return createAuthenticator({
      accounts: config.accounts,
      limits: config.limits,
      logger: this.#logger,
      ...(this.#onVerify ? { onVerify: this.#onVerify } : {}),
    });
  }

  /** Swaps accounts and ACLs (reload) without touching connected clients. */
  update(config: BrokerConfig): void {
    this.#acl = compileAcl(config);
    this.#authenticator = this.#createAuthenticator(config);
  }

  get acl(): Acl {
    return this.#acl;
  }

  authStats(): ReturnType<Authenticator['stats']> {
    return this.#authenticator.stats();
  }

  async authenticate(
    info: ConnectionInfo,
    clientId: string,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<AuthResult> {
    const result = await this.#authenticator.authenticate({
      username: username === '' ? undefined : username,
      password,
      clientId,
      ip: info.ip,
    });
    if (!result.ok) return { ok: false, code: CODES[result.reason], reason: result.reason };
    return { ok: true, identity: { account: result.account, info, checkReceive: false } };
  }
}
