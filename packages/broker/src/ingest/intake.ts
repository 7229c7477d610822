import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue as EventCatalogue } from '@firehose/schema';
import type { BrokerConfig } from '../config/types.js';
import type { Logger } from '../logger.js';
import type { BrokerStats } from '../stats.js';
import { handleIngest } from './http-intake.js';
import { intakePublisher, type PublishPath } from './intake-publisher.js';

export interface IntakeParts extends Pick<PublishPath, 'refusal' | 'publish'> {
  config: () => BrokerConfig;
  events: () => EventCatalogue;
  env: NodeJS.ProcessEnv;
  stats: BrokerStats;
  logger: Logger;
}

/** The http listener's `/v1/ingest/<service>` handler over a broker's publish path and catalogue. */
export function createIntake(parts: IntakeParts): (req: IncomingMessage, res: ServerResponse) => void {
  const context = {
    catalogue: parts.events,
    maxBytes: () => parts.config().limits.maxPacketBytes,
    env: parts.env,
    trustProxy: () => parts.config().trustProxy.forwardedFor,
    publish: intakePublisher(parts),
    stats: parts.stats,
    logger: parts.logger,
  };
  return (req, res) => void handleIngest(context, req, res);
}
