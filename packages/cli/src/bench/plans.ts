import type { WorkerPlan } from './protocol.js';

type Shared = Omit<WorkerPlan, 'index' | 'publishers' | 'subscribers'>;

/** Spreads clients over processes round-robin, so each process carries a similar share. */
export function distribute(
  processes: number,
  publishers: number,
  subscribers: number,
  shared: Shared,
): WorkerPlan[] {
  const plans = Array.from({ length: processes }, (_, index) => ({
    ...shared,
    index,
    publishers: 0,
    subscribers: 0,
  }));
  for (let i = 0; i < subscribers; i++) plans[i % processes]!.subscribers += 1;
  for (let i = 0; i < publishers; i++) plans[(i + subscribers) % processes]!.publishers += 1;
  return plans.filter((plan) => plan.publishers + plan.subscribers > 0);
}
