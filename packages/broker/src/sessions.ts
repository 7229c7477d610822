import type { Aedes, Client } from '@firehose/aedes';

/** A persistent session this node knows about. */
interface Session {
  ip: string;
  /** When its client disconnected (ms), or undefined while connected somewhere in the cluster. */
  disconnectedAt: number | undefined;
}

/**
 * Persistent-session bookkeeping aedes 1.x lacks: expiry of abandoned sessions and a per-IP
 * quota of persistent sessions. Connects and disconnects are learnt from aedes' cluster-wide
 * `$SYS/<node>/new/clients` and `…/disconnect/clients` events, so a session that moved to
 * another node is not expired here.
 */
export class SessionTracker {
  readonly #sessions = new Map<string, Session>();
  readonly #perIp = new Map<string, number>();

  /**
   * Called when a client authenticates. A clean session ends any earlier session of that id
   * [MQTT-3.1.2-6]; a new persistent session counts against its IP's quota.
   * Returns false when the IP already holds `maxPerIp` persistent sessions.
   */
  admit(clientId: string, ip: string, clean: boolean, maxPerIp: number): boolean {
    const existing = this.#sessions.get(clientId);
    if (clean) {
      if (existing) this.#remove(clientId, existing);
      return true;
    }
    if (existing) {
      existing.disconnectedAt = undefined;
      return true;
    }
    const count = this.#perIp.get(ip) ?? 0;
    if (count >= maxPerIp) return false;
    this.#perIp.set(ip, count + 1);
    this.#sessions.set(clientId, { ip, disconnectedAt: undefined });
    return true;
  }

  /**
   * A session found in persistence at startup: disconnected since `now` (its real disconnect
   * time died with the previous process). Its IP is unknown, so it counts against no quota.
   */
  restore(clientId: string, now = Date.now()): void {
    if (!this.#sessions.has(clientId)) this.#sessions.set(clientId, { ip: '', disconnectedAt: now });
  }

  connected(clientId: string): void {
    const session = this.#sessions.get(clientId);
    if (session) session.disconnectedAt = undefined;
  }

  disconnected(clientId: string, now = Date.now()): void {
    const session = this.#sessions.get(clientId);
    if (session && session.disconnectedAt === undefined) session.disconnectedAt = now;
  }

  /** Removes and returns the ids of sessions disconnected for longer than `expirySeconds`. */
  expire(expirySeconds: number, now = Date.now()): string[] {
    const expired: string[] = [];
    for (const [clientId, session] of this.#sessions) {
      if (session.disconnectedAt !== undefined && now - session.disconnectedAt >= expirySeconds * 1000) {
        this.#remove(clientId, session);
        expired.push(clientId);
      }
    }
    return expired;
  }

  get size(): number {
    return this.#sessions.size;
  }

  #remove(clientId: string, session: Session): void {
    this.#sessions.delete(clientId);
    if (session.ip === '') return;
    const left = (this.#perIp.get(session.ip) ?? 1) - 1;
    if (left <= 0) this.#perIp.delete(session.ip);
    else this.#perIp.set(session.ip, left);
  }
}

interface SweepPersistence {
  cleanSubscriptions(client: { id: string }): Promise<unknown>;
  outgoingStream(client: { id: string }): AsyncIterable<{ messageId?: number }>;
  outgoingClearMessageId(client: { id: string }, packet: { messageId?: number }): Promise<unknown>;
}

/** A cluster-wide record of when each persistent session was last connected (RedisSessionClock). */
interface SharedSessionClock {
  touch(clientIds: readonly string[]): Promise<void>;
  claimExpired(expirySeconds: number): Promise<string[]>;
}

export interface WatchSessionsOptions {
  aedes: Aedes;
  tracker: SessionTracker;
  /**
   * With a cluster store: expiry follows this shared clock, so it survives restarts of any or all
   * nodes, and the tracker (which knows only what this node saw) keeps IP quotas only.
   */
  clock?: SharedSessionClock | undefined;
  persistence: () => SweepPersistence | undefined;
  expirySeconds: number;
  onExpired(clientId: string): void;
  onError(error: unknown): void;
}

/**
 * Feeds the tracker from aedes' cluster-wide client events and removes expired sessions from
 * persistence (subscriptions and queued messages). Returns the sweep timer, if expiry is on.
 */
export function watchSessions(options: WatchSessionsOptions): NodeJS.Timeout | undefined {
  const { tracker, clock } = options;
  const { aedes } = options;
  aedes.mq.on('$SYS/+/new/clients', (packet, done) => {
    tracker.connected(packet.payload.toString());
    done();
  });
  aedes.mq.on('$SYS/+/disconnect/clients', (packet, done) => {
    tracker.disconnected(packet.payload.toString());
    done();
  });
  const expiry = options.expirySeconds;
  if (expiry <= 0) return undefined;
  if (clock) {
    // This node stamps its own persistent clients; connected ones again at every sweep.
    const stamp = (client: Client): void => {
      if (!client.clean) clock.touch([client.id]).catch((error: unknown) => options.onError(error));
    };
    aedes.on('clientReady', stamp);
    aedes.on('clientDisconnect', stamp);
  }
  const connectedHere = (): string[] =>
    Object.values(aedes.clients)
      .filter((client): client is Client => client?.connected === true && !client.clean)
      .map((client) => client.id);
  const expired = async (): Promise<string[]> => {
    const seen = tracker.expire(expiry);
    if (!clock) return seen;
    await clock.touch(connectedHere());
    return clock.claimExpired(expiry);
  };
  const sweep = async (): Promise<void> => {
    const persistence = options.persistence();
    if (!persistence) return;
    let ids: string[];
    try {
      ids = await expired();
    } catch (error) {
      options.onError(error);
      return;
    }
    for (const id of ids) {
      try {
        const client = { id };
        await persistence.cleanSubscriptions(client);
        // Drop what was queued for it; a later CONNECT with this id starts a fresh session.
        for await (const packet of persistence.outgoingStream(client))
          await persistence.outgoingClearMessageId(client, packet);
        options.onExpired(id);
      } catch (error) {
        options.onError(error);
      }
    }
  };
  const timer = setInterval(() => void sweep(), Math.max(200, Math.min(60_000, expiry * 500)));
  timer.unref();
  return timer;
}
