import { FirehoseError, createEvent, type FirehoseEvent } from '@firehose/protocol';
import type { Catalogue } from './catalogue.js';
import { catalogue as defaultCatalogue } from './default-catalogue.js';
import type { EventType, InferData } from './event-type.js';

/** Options of {@link createServiceEvent}. */
export interface ServiceEventOptions {
  /** Upstream instance URI. @default the service's default source, e.g. `https://review.opendev.org` */
  source?: string;
  /**
   * Where the event type's service, and so its default `source`, is looked up: pass the catalogue
   * of a site's own services (`createCatalogue([...services, ...loadCatalogueFiles(...)])`) to
   * build their envelopes without repeating the source.
   * @default the package's catalogue (the built-in services)
   */
  catalogue?: Pick<Catalogue, 'getService'>;
  /** Explicit id. @default derived from the data's upstream identity, random when it has none */
  id?: string;
  /** Event time. @default now */
  time?: Date | string;
}

/**
 * Wraps service data in an envelope with the event type's `type`, `dataschema`, `subject` and a
 * deterministic id. Throws a FirehoseError `INVALID_PAYLOAD` when the data does not validate.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createServiceEvent<E extends EventType<any, any>>(
  eventType: E,
  data: InferData<E>,
  options: ServiceEventOptions = {},
): FirehoseEvent<InferData<E>> {
  const result = eventType.validate(data);
  if (!result.ok) throw result.error;
  const source =
    options.source ?? (options.catalogue ?? defaultCatalogue).getService(eventType.service)?.source;
  if (source === undefined) {
    throw new FirehoseError(
      'INVALID_PARAMS',
      `${eventType.type} belongs to no service of the catalogue; pass options.catalogue (the catalogue that declares ${eventType.service}) or options.source.`,
      { path: 'source' },
    );
  }
  const identity = eventType.identity(data);
  const subject = eventType.subject(data);
  return createEvent<InferData<E>>({
    source,
    type: eventType.type,
    dataschema: eventType.dataschema,
    data,
    ...(subject === undefined ? {} : { subject }),
    ...(identity === undefined ? {} : { identity: [eventType.type, ...identity] }),
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.time === undefined ? {} : { time: options.time }),
  });
}
