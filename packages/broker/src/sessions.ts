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
    const left = (this.#perIp.get(session.ip) ?? 1) - 1;
    if (left <= 0) this.#perIp.delete(session.ip);
    else this.#perIp.set(session.ip, left);
  }
}
