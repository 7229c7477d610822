import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ParentMessage, WorkerMessage, WorkerPlan } from './protocol.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/** The bench's worker processes, one per plan, and every message they sent back. */
export class WorkerPool {
  readonly messages: WorkerMessage[] = [];
  readonly #workers: ChildProcess[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #signal: AbortSignal;

  constructor(plans: readonly WorkerPlan[], signal: AbortSignal) {
    this.#signal = signal;
    for (const plan of plans) {
      const child = fork(WORKER, [JSON.stringify(plan)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (message: WorkerMessage) => {
        this.messages.push(message);
        this.#wake();
      });
      child.on('exit', () => this.#wake());
      this.#workers.push(child);
    }
  }

  /** How many messages of a kind have arrived. */
  count(kind: WorkerMessage['kind']): number {
    return this.messages.filter((message) => message.kind === kind).length;
  }

  send(message: ParentMessage): void {
    for (const worker of this.#workers) worker.send(message);
  }

  /** Resolves once `test` holds; throws when a worker reports an error, on timeout or on abort. */
  async until(test: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      const failure = this.messages.find((message) => message.kind === 'error');
      if (failure?.kind === 'error') throw new Error(`a bench worker failed: ${failure.message}`);
      if (Date.now() > deadline || this.#signal.aborted)
        throw new Error('bench workers did not respond in time.');
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 200);
        this.#waiters.add(wake);
      });
    }
  }

  /** Kills every worker still running. */
  stop(): void {
    for (const worker of this.#workers) if (worker.exitCode === null) worker.kill();
  }

  #wake(): void {
    for (const wake of this.#waiters) wake();
  }
}
