import { isValidFilter, matches } from '@firehose/protocol';
import type { StreamItem } from './stream-item.js';

/** The stream filters; every field empty means "everything". */
export interface FilterState {
  /** Services to show (first topic level); empty shows all. */
  readonly services: readonly string[];
  /** Substring of the project key, case-insensitive (`nova` finds `openstack/nova`). */
  readonly project: string;
  /** Change number, exact (a leading `#` is ignored). */
  readonly change: string;
  /** Substring of anyone's name, username or email in the event, case-insensitive. */
  readonly user: string;
  /** Substring of the CloudEvents type (`comment-added`, `zuul.`). */
  readonly type: string;
  /** Free text: every whitespace-separated word must appear in the row's text or the payload's text. */
  readonly text: string;
  /** An MQTT topic filter (`gerrit/openstack/+/comment-added`, `zuul/#`). */
  readonly topic: string;
}

export const emptyFilter: FilterState = {
  services: [],
  project: '',
  change: '',
  user: '',
  type: '',
  text: '',
  topic: '',
};

export type ItemPredicate = (item: StreamItem) => boolean;

/** The filter fields as they appear in the page URL, so a filtered view can be shared. */
const urlKeys = {
  project: 'project',
  change: 'change',
  user: 'user',
  type: 'type',
  text: 'q',
  topic: 'topic',
} as const satisfies Record<Exclude<keyof FilterState, 'services'>, string>;

export function filterFromParams(params: URLSearchParams): FilterState {
  const services = (params.get('service') ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  const field = (key: string) => (params.get(key) ?? '').trim();
  return {
    services,
    project: field(urlKeys.project),
    change: field(urlKeys.change),
    user: field(urlKeys.user),
    type: field(urlKeys.type),
    text: field(urlKeys.text),
    topic: field(urlKeys.topic),
  };
}

/** Writes the filter into `params` (other parameters, like `broker`, are kept). */
export function filterToParams(filter: FilterState, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  setOrDelete(next, 'service', filter.services.join(','));
  for (const [field, key] of Object.entries(urlKeys) as [keyof typeof urlKeys, string][]) {
    setOrDelete(next, key, filter[field].trim());
  }
  return next;
}

function setOrDelete(params: URLSearchParams, key: string, value: string): void {
  if (value.length > 0) params.set(key, value);
  else params.delete(key);
}

export function isEmptyFilter(filter: FilterState): boolean {
  return (
    filter.services.length === 0 &&
    [filter.project, filter.change, filter.user, filter.type, filter.text, filter.topic].every(
      (value) => value.trim().length === 0,
    )
  );
}

/** Why the topic filter cannot be used, or undefined when it is fine (or empty). */
export function topicFilterProblem(topic: string): string | undefined {
  const trimmed = topic.trim();
  if (trimmed.length === 0 || isValidFilter(trimmed)) return undefined;
  return `"${trimmed}" is not an MQTT topic filter: use '+' for one whole level and '#' only as the last level.`;
}

/**
 * Compiles the filter into one predicate. An invalid topic filter is ignored (the UI says why)
 * rather than hiding every row.
 */
export function compileFilter(filter: FilterState): ItemPredicate {
  const tests: ItemPredicate[] = [];
  if (filter.services.length > 0) {
    const wanted = new Set(filter.services);
    tests.push((item) => wanted.has(item.service));
  }
  const project = filter.project.trim().toLowerCase();
  if (project) tests.push((item) => (item.rendered.keys.project ?? '').toLowerCase().includes(project));
  const change = filter.change.trim().replace(/^#/, '');
  if (change) tests.push((item) => item.rendered.keys.change === change);
  const user = filter.user.trim().toLowerCase();
  if (user) tests.push((item) => item.people.includes(user));
  const type = filter.type.trim().toLowerCase();
  if (type) tests.push((item) => item.event.type.toLowerCase().includes(type));
  const words = filter.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length > 0) tests.push((item) => words.every((word) => item.search.includes(word)));
  const topic = filter.topic.trim();
  if (topic && topicFilterProblem(topic) === undefined) tests.push((item) => matches(topic, item.topic));
  if (tests.length === 0) return () => true;
  return (item) => tests.every((test) => test(item));
}
