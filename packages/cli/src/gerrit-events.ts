import {
  FirehoseError,
  PLACEHOLDER_LEVEL,
  createEvent,
  dataschemaUrn,
  encodeLevel,
  type FirehoseEvent,
} from '@firehose/protocol';
import { createServiceEvent, getEventType } from '@firehose/schema';

/** One Gerrit stream-events line turned into what to publish. */
export interface BridgedEvent {
  readonly topic: string;
  readonly event: FirehoseEvent;
  /** No schema declares this event type: published on its topic and flagged, never dropped. */
  readonly unknownType: boolean;
}

/**
 * The project a Gerrit event is about, wherever that event type keeps it
 * (docs/architecture.md#topics): changes in `change.project`, ref updates in `refUpdate.project`,
 * project events in `projectName`, replication in `project`. `undefined` for events without a
 * project (`dropped-output`).
 */
function gerritProject(data: Record<string, unknown>): string | undefined {
  const change = data.change as Record<string, unknown> | undefined;
  const refUpdate = data.refUpdate as Record<string, unknown> | undefined;
  const refUpdates = data.refUpdates as Record<string, unknown>[] | undefined;
  const project = data.project;
  for (const candidate of [
    change?.project,
    refUpdate?.project,
    Array.isArray(refUpdates) ? refUpdates[0]?.project : undefined,
    data.projectName,
    typeof project === 'object' && project !== null ? (project as Record<string, unknown>).name : project,
  ]) {
    if (typeof candidate === 'string' && candidate !== '') return candidate;
  }
  return undefined;
}

/**
 * Converts one stream-events object to a topic and envelope. Declared types go through the schema
 * (`createServiceEvent`: validated, deterministic id from the upstream identity, so a replayed line
 * gets the same id); unknown types get `gerrit/<project…>/<type>` and an id from the same fields.
 *
 * @throws FirehoseError `INVALID_PAYLOAD` (with the JSON path) when a declared type does not validate.
 */
export function bridgeGerritEvent(data: unknown, source: string): BridgedEvent {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new FirehoseError('INVALID_PAYLOAD', 'A stream-events line must be a JSON object.', {
      path: '/data',
    });
  }
  const record = data as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(type)) {
    throw new FirehoseError(
      'INVALID_PAYLOAD',
      'A stream-events object needs a "type" such as "comment-added".',
      { path: '/data/type' },
    );
  }
  const project = gerritProject(record);
  const eventType = getEventType(`gerrit.${type}`);
  if (eventType !== undefined) {
    const params: Record<string, string> = eventType.template.params.includes('project')
      ? { project: project ?? missingProject(type) }
      : {};
    const topic = eventType.topic(params);
    const event = createServiceEvent(eventType, data as never, { source, ...eventTime(record) });
    return { topic, event, unknownType: false };
  }
  const levels = project === undefined ? [PLACEHOLDER_LEVEL] : project.split('/').map(encodeLevel);
  const topic = ['gerrit', ...levels, encodeLevel(type)].join('/');
  const event = createEvent({
    source,
    type: `gerrit.${type}`,
    // No schema exists yet; name the one it would get so consumers can tell what to expect.
    dataschema: dataschemaUrn(`gerrit.${type}`, 1),
    data,
    ...eventTime(record),
    ...(project === undefined ? {} : { subject: project }),
    // The line itself is the identity: a replayed line gets the same id, any difference a new one.
    identity: ['gerrit', JSON.stringify(data)],
  });
  return { topic, event, unknownType: true };
}

function missingProject(type: string): never {
  throw new FirehoseError(
    'INVALID_PAYLOAD',
    `A ${type} event needs its project (change.project, refUpdate.project or projectName).`,
    {
      path: '/data/change/project',
    },
  );
}

/** Gerrit stamps events with `eventCreatedOn` (Unix seconds): that, not the bridge's clock, is the event time. */
function eventTime(record: Record<string, unknown>): { time?: Date } {
  const created = record.eventCreatedOn;
  return typeof created === 'number' && Number.isFinite(created) && created > 0
    ? { time: new Date(created * 1000) }
    : {};
}
