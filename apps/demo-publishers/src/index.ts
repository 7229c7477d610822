// Public API of @firehose/demo-publishers: the pure simulation and the publishing loop.
export { createSimulation, type Simulation, type SimulationOptions } from './simulation.js';
export type { SimulatedEvent } from './simulated-event.js';
export { Random } from './random.js';
export {
  startPublishers,
  type Publishers,
  type PublisherStats,
  type ServiceAccount,
  type StartPublishersOptions,
} from './publishers.js';
export { loadAccounts } from './accounts.js';
