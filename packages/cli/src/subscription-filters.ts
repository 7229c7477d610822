import { isFirehoseError, validateFilter } from '@firehose/protocol';
import { unknownService, type KnownServices } from './known-services.js';
import { UsageError } from './usage-error.js';

export interface FilterRequest {
  /** Topic filters given as arguments. */
  readonly filters: readonly string[];
  readonly service?: string | undefined;
  readonly event?: string | undefined;
  /** Template parameters (`project` and any `--param k=v`). */
  readonly params: Readonly<Record<string, string>>;
  /** Also subscribe to the broker's own `$SYS/#` and `$firehose/#`. */
  readonly sys: boolean;
  /** The services `--service/--event` are looked up in (built-in, plus the broker's when learned). */
  readonly known: KnownServices;
  /**
   * A service `known` lacks is not an error yet: the command checks it again once it has the
   * broker's services (the filters returned meanwhile are only a check of the other flags).
   * @default false
   */
  readonly deferUnknownService?: boolean;
}

/**
 * The MQTT filters for a `tail`: the arguments as given, plus, for `--service/--event/--project`,
 * the filters the declared topic templates build (a site's own services' too, once learned) — so nobody needs to know that a project can be
 * one or three levels deep (docs/architecture.md#topics: one filter per depth, never overlapping).
 *
 * @throws UsageError for a malformed filter or an unknown service/event/parameter.
 */
export function buildFilters(request: FilterRequest): string[] {
  const filters: string[] = [];
  for (const filter of request.filters) {
    try {
      validateFilter(filter);
    } catch (error) {
      throw new UsageError(
        isFirehoseError(error) ? error.message : `'${filter}' is not a valid MQTT topic filter.`,
      );
    }
    filters.push(filter);
  }
  if (request.service !== undefined) {
    if (!request.deferUnknownService || request.known.catalogue.getService(request.service) !== undefined)
      filters.push(...schemaFilters(request.service, request.event, request.params, request.known));
  } else if (request.event !== undefined || Object.keys(request.params).length > 0) {
    throw new UsageError('--event, --project and --param need --service (e.g. --service gerrit).');
  }
  if (filters.length === 0) filters.push('#');
  // Leading wildcards never match `$` topics [MQTT-4.7.2-1], so the broker's own topics need their own filters.
  if (request.sys) filters.push('$SYS/#', '$firehose/#');
  return [...new Set(filters)];
}

function schemaFilters(
  service: string,
  event: string | undefined,
  params: Readonly<Record<string, string>>,
  known: KnownServices,
): string[] {
  const ofService = known.catalogue.eventTypes.filter((eventType) => eventType.service === service);
  if (ofService.length === 0) throw unknownService(service, known);
  const selected =
    event === undefined ? ofService : ofService.filter((eventType) => eventType.event === event);
  if (selected.length === 0) {
    const known = [...new Set(ofService.map((eventType) => eventType.event))].join(', ');
    throw new UsageError(`${service} has no event '${event ?? ''}'; its events: ${known}.`);
  }
  const keys = Object.keys(params);
  // Only templates that have every given parameter can match: `--project` narrows gerrit, not ansible.
  const applicable = selected.filter((eventType) =>
    keys.every((key) => eventType.template.params.includes(key)),
  );
  if (applicable.length === 0) {
    const available = [...new Set(selected.flatMap((eventType) => eventType.template.params))].join(', ');
    throw new UsageError(
      `${service} topics have no parameter ${keys.map((k) => `'${k}'`).join(' or ')}; they have: ${available || 'none'}.`,
    );
  }
  const filters: string[] = [];
  for (const eventType of applicable) {
    try {
      filters.push(...eventType.template.filters(params));
    } catch (error) {
      throw new UsageError(isFirehoseError(error) ? error.message : String(error));
    }
  }
  return filters;
}

/** Parses repeated `--param key=value` flags. */
export function parseParams(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--param must look like key=value; got '${pair}'.`);
    params[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return params;
}
