import type { PublishPacket } from '@firehose/aedes';
import { FirehoseError, type FirehoseEvent } from '@firehose/protocol';
import type { ServiceDefinition } from '@firehose/schema';
import type { ClientIdentity } from '../access.js';
import type { Account } from '../config/types.js';
import type { PublishRefusal } from '../publish-inspector.js';
import type { BrokerStats } from '../stats.js';
import type { PublishOutcome } from './http-intake.js';

/** What the intake needs of the broker's publish path. */
export interface PublishPath {
  /** The publish path's check (`EventInspector.refusal`): undefined when deliverable. */
  refusal(packet: PublishPacket, identity: ClientIdentity, clientId: string): PublishRefusal | undefined;
  /** aedes' publish: stores for persistent sessions and fans out; calls back once it owns the message. */
  publish(packet: PublishPacket, done: (error?: Error) => void): void;
  stats: BrokerStats;
}

/**
 * The publisher a webhook appears as in the catalogue, logs and invalid records: `ingest/<service>`.
 * It is no account anyone can log in as (it has no password), and holds no ACL.
 */
function intakeAccount(service: string): Account {
  return {
    name: `ingest/${service}`,
    passwords: [],
    write: [],
    read: [],
    clientIds: [],
    payload: 'envelope',
  };
}

// Refusals that are about the data, not the request: 422 (the body parsed, its content is wrong).
const STATUS: Record<string, number> = { INVALID_ENVELOPE: 400, UNDECLARED_TOPIC: 422 };

/**
 * Publishes an intake envelope the way an MQTT PUBLISH from an account goes: counted as received,
 * checked by the inspector (validation, catalogue counts, invalid records), then handed to aedes at
 * QoS 1 so persistent sessions queue it; resolves once aedes has stored and emitted it.
 */
export function intakePublisher(
  path: PublishPath,
): (topic: string, event: FirehoseEvent, service: ServiceDefinition, ip: string) => Promise<PublishOutcome> {
  return (topic, event, service, ip) => {
    const packet: PublishPacket = {
      cmd: 'publish',
      topic,
      payload: Buffer.from(JSON.stringify(event)),
      qos: 1,
      retain: false,
      dup: false,
    };
    const account = intakeAccount(service.name);
    const identity: ClientIdentity = {
      account,
      info: { ip, listener: 'http', payload: 'envelope' },
      checkReceive: false,
    };
    path.stats.messagesReceived++;
    const refused = path.refusal(packet, identity, account.name);
    if (refused !== undefined) {
      const error = new FirehoseError(
        refused.code === 'UNDECLARED_TOPIC' ? 'UNKNOWN_EVENT_TYPE' : (refused.code as FirehoseError['code']),
        refused.message,
        {
          ...(refused.path === undefined ? {} : { path: refused.path }),
          redactedMessage: refused.redactedMessage,
        },
      );
      return Promise.resolve({ ok: false, error, status: STATUS[refused.code] ?? 422 });
    }
    return new Promise((resolve) => {
      path.publish(packet, (error) => {
        if (error === undefined || error === null) resolve({ ok: true });
        else
          resolve({
            ok: false,
            status: 503,
            error: new FirehoseError(
              'CONNECTION_FAILED',
              `The broker could not store the event (${error.message}); retry later.`,
            ),
          });
      });
    });
  };
}
