import { isValidFilter } from '@firehose/protocol';
import { RESERVED_KEY_NAMES, type ServiceDefinition } from '@firehose/schema';
import { decodeCursor } from './cursor.js';

/** What the reader worker runs (archive-worker.js `Query`). */
export interface ArchiveQuery {
  types?: string[];
  service?: string;
  topic?: string;
  keys: [string, string][];
  /** Accept-time bounds, ms since the epoch, inclusive. */
  from?: number;
  to?: number;
  order: 'asc' | 'desc';
  limit: number;
  /** Continue after this sequence number (exclusive, in `order`). */
  after?: bigint;
  /** Never past this sequence number (the stream's handover point). */
  until?: bigint;
  /** Rows examined per request at most; then `next` says where to go on. */
  scanBudget: number;
  timeBudgetMs: number;
}

export interface ArchiveRow {
  seq: bigint;
  topic: string;
  type: string | null;
  event: string;
}

/** A query parameter the API cannot take: a 400 naming it and what it accepts. */
export class BadParameter extends Error {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(message);
    this.parameter = parameter;
  }
}

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 100;
/** Rows one page may examine: with a rare filter the reader gets `next` instead of a long wait. */
const SCAN_BUDGET = 50_000;
const TIME_BUDGET_MS = 150;

/** Every search key some event type declares (each becomes a query parameter of that name). */
export function declaredKeyNames(services: readonly ServiceDefinition[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const service of services)
    for (const type of service.eventTypes) for (const name of Object.keys(type.keys)) names.add(name);
  return names;
}

const RELATIVE = /^-(\d{1,9})(s|m|h|d|w)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `-2h` / `-30m` / `-7d` (before `now`) or an ISO 8601 time, as ms since the epoch. */
export function parseTime(parameter: string, value: string, now = Date.now()): number {
  const relative = RELATIVE.exec(value);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const ms = ISO.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new BadParameter(
      parameter,
      `${parameter} must be an ISO 8601 time (2026-12-01T12:00:00Z) or a relative one (-30m, -2h, -7d); got ${JSON.stringify(value.slice(0, 64))}.`,
    );
  }
  return ms;
}

/** A cursor parameter as a sequence number. */
export function parseCursor(parameter: string, value: string): bigint {
  const seq = decodeCursor(value);
  if (seq === undefined) {
    throw new BadParameter(
      parameter,
      `${parameter} must be a cursor as the API returns them (16 hex digits); got ${JSON.stringify(value.slice(0, 64))}.`,
    );
  }
  return seq;
}

/** A parameter that may be given at most once. */
export function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name);
  if (values.length > 1)
    throw new BadParameter(name, `${name} may be given once; got ${values.length} values.`);
  return values[0];
}

/** The filters both `/v1/events` and `/v1/stream` take. */
export interface EventFilters {
  types?: string[];
  service?: string;
  topic?: string;
  keys: [string, string][];
  from?: number;
  to?: number;
  where?: string;
}

const FILTER_PARAMETERS = ['service', 'type', 'topic', 'from', 'to', 'where'];

/**
 * Reads the filters from a query string, throwing `BadParameter` for the first bad one. `extra`
 * names the endpoint's own parameters, read by the caller.
 */
export function parseFilters(
  params: URLSearchParams,
  extra: readonly string[],
  services: readonly ServiceDefinition[],
): EventFilters {
  const keyNames = declaredKeyNames(services);
  const filters: EventFilters = { keys: [] };
  const once = (name: string): string | undefined => single(params, name);
  for (const name of new Set(params.keys())) {
    if (FILTER_PARAMETERS.includes(name) || extra.includes(name)) continue;
    if (keyNames.has(name)) {
      const value = once(name)!;
      if (value === '') throw new BadParameter(name, `${name} needs a value, e.g. ${name}=…`);
      filters.keys.push([name, value]);
      continue;
    }
    const known = [...FILTER_PARAMETERS, ...extra].join(', ');
    throw new BadParameter(
      name,
      RESERVED_KEY_NAMES.includes(name)
        ? `${name} is not a parameter of this endpoint; it takes ${known} and the declared search keys (${[...keyNames].join(', ')}).`
        : `${name} is not a parameter or declared search key; this endpoint takes ${known} and the keys ${[...keyNames].join(', ')}.`,
    );
  }
  const service = once('service');
  if (service !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(service))
      throw new BadParameter(
        'service',
        `service must be a service name such as gerrit; got ${JSON.stringify(service)}.`,
      );
    filters.service = service;
  }
  const types = params
    .getAll('type')
    .flatMap((value) => value.split(','))
    .map((type) => type.trim());
  if (params.has('type')) {
    const bad = types.find((type) => !/^[A-Za-z0-9][A-Za-z0-9._-]*\.[A-Za-z0-9._-]+$/.test(type));
    if (bad !== undefined)
      throw new BadParameter(
        'type',
        `type must be CloudEvents types such as gerrit.comment-added (repeat it or separate with commas); got ${JSON.stringify(bad)}.`,
      );
    filters.types = types;
  }
  const topic = once('topic');
  if (topic !== undefined) {
    if (!isValidFilter(topic))
      throw new BadParameter(
        'topic',
        `topic must be an MQTT topic filter such as gerrit/openstack/nova/#; got ${JSON.stringify(topic)}.`,
      );
    filters.topic = topic;
  }
  const from = once('from');
  if (from !== undefined) filters.from = parseTime('from', from);
  const to = once('to');
  if (to !== undefined) filters.to = parseTime('to', to);
  if (filters.from !== undefined && filters.to !== undefined && filters.from > filters.to)
    throw new BadParameter('to', 'to must not be before from.');
  const where = once('where');
  if (where !== undefined) filters.where = where;
  return filters;
}

/** `GET /v1/events`: the filters plus `order`, `limit`, `cursor`. */
export function parseSearch(
  params: URLSearchParams,
  services: readonly ServiceDefinition[],
): { filters: EventFilters; query: ArchiveQuery } {
  const filters = parseFilters(params, ['order', 'limit', 'cursor'], services);
  const order = single(params, 'order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc')
    throw new BadParameter('order', `order must be asc or desc; got ${JSON.stringify(order)}.`);
  const limitText = single(params, 'limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== undefined) {
    limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIMIT))
      throw new BadParameter(
        'limit',
        `limit must be an integer 1–${MAX_LIMIT}; got ${JSON.stringify(limitText)}.`,
      );
  }
  const cursor = single(params, 'cursor');
  const query: ArchiveQuery = {
    ...withoutWhere(filters),
    order,
    limit,
    scanBudget: SCAN_BUDGET,
    timeBudgetMs: TIME_BUDGET_MS,
    ...(cursor === undefined ? {} : { after: parseCursor('cursor', cursor) }),
  };
  return { filters, query };
}

function withoutWhere(filters: EventFilters): Omit<EventFilters, 'where'> {
  const { where: _where, ...rest } = filters;
  return rest;
}
