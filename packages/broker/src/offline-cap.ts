/** The persistence calls the cap wraps (aedes-persistence's promise API). */
interface QueuePersistence {
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: unknown): Promise<unknown>;
  outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<unknown>;
}

/**
 * A per-session cap on queued messages for the memory and level stores (aedes 1.x has none; the
 * redis store has its own `maxSessionDelivery`). Counts what this node enqueued and what was
 * acknowledged or cleared; a session at the cap gets no more copies until it drains. Counts start
 * at zero after a restart, so the cap is approximate there — it bounds growth, not history.
 */
export class OfflineCap {
  readonly #counts = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly onDrop: (clientId: string) => void,
    /** Connected clients are not capped here: aedes would disconnect them (their copy is missing). */
    private readonly isOnline: (clientId: string) => boolean,
  ) {}

  /** Wraps the persistence's enqueue and clear calls in place. */
  install(persistence: QueuePersistence): void {
    const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
    const clear = persistence.outgoingClearMessageId.bind(persistence);
    persistence.outgoingEnqueueCombi = (subs, packet) => {
      const admitted = subs.filter((sub) => {
        const count = this.#counts.get(sub.clientId) ?? 0;
        if (count >= this.max && !this.isOnline(sub.clientId)) {
          this.onDrop(sub.clientId);
          return false;
        }
        this.#counts.set(sub.clientId, count + 1);
        return true;
      });
      return admitted.length === 0 ? Promise.resolve() : enqueue(admitted, packet);
    };
    persistence.outgoingClearMessageId = async (client, packet) => {
      const removed = await clear(client, packet);
      if (removed !== undefined && removed !== null) {
        const count = (this.#counts.get(client.id) ?? 1) - 1;
        if (count <= 0) this.#counts.delete(client.id);
        else this.#counts.set(client.id, count);
      }
      return removed;
    };
  }

  /** Forgets a session's count (expired, or replaced by a clean session). */
  forget(clientId: string): void {
    this.#counts.delete(clientId);
  }
}
