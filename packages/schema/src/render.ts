import { parseDataschema, type FirehoseEvent } from '@firehose/protocol';
import type { Catalogue } from './catalogue.js';
import { catalogue as defaultCatalogue } from './default-catalogue.js';
import type { EventType } from './event-type.js';
import { compileRenderSpec, type CompiledRenderSpec } from './render-spec.js';
import { renderFirst, renderTemplate } from './template.js';

/** An event as text, the same in the CLI, the dashboard and any SDK. */
export interface Rendered {
  /** One line: `openstack/nova #912345 "Fix race in scheduler": Ann Reviewer voted Code-Review+2`. */
  summary: string;
  /** One sentence: `Ann Reviewer voted Code-Review+2 on openstack/nova #912345 "Fix race in scheduler"`. */
  sentence: string;
  url?: string;
  /** Who acted (usernames where the service has them). */
  actors: string[];
  /** Correlation keys, e.g. `project`, `change`, `build`. */
  keys: { project?: string; change?: string; build?: string; [key: string]: string | undefined };
}

function specOf(eventType: EventType | undefined): CompiledRenderSpec | undefined {
  if (eventType === undefined || eventType.rendering === undefined) return undefined;
  let spec = compiled.get(eventType);
  if (spec === undefined) compiled.set(eventType, (spec = compileRenderSpec(eventType.rendering)));
  return spec;
}

const compiled = new WeakMap<EventType, CompiledRenderSpec>();

function eventTypeOf(event: FirehoseEvent, { getEventType }: Catalogue): EventType | undefined {
  if (typeof event.type !== 'string') return undefined;
  const major = typeof event.dataschema === 'string' ? parseDataschema(event.dataschema)?.major : undefined;
  return (major === undefined ? undefined : getEventType(event.type, major)) ?? getEventType(event.type);
}

/** Options of {@link render}. */
export interface RenderOptions {
  /** Where the event's type is looked up. @default the package's catalogue */
  catalogue?: Catalogue;
}

function generic(event: FirehoseEvent): Pick<Rendered, 'summary' | 'sentence'> {
  const type = typeof event.type === 'string' && event.type !== '' ? event.type : 'event';
  const subject = typeof event.subject === 'string' && event.subject !== '' ? event.subject : undefined;
  const source = typeof event.source === 'string' ? event.source : 'an unknown source';
  return {
    summary: subject === undefined ? type : `${subject}: ${type}`,
    sentence: `${source} sent ${type}${subject === undefined ? '' : ` about ${subject}`}`,
  };
}

/**
 * Renders an event with its type's rules (docs/architecture.md#messages). Types without rules,
 * undeclared types and events whose data lacks what the rules need fall back to a generic
 * rendering. Never throws.
 */
export function render(event: FirehoseEvent, options: RenderOptions = {}): Rendered {
  if (event === null || typeof event !== 'object') {
    return { summary: 'event', sentence: 'An event that is not an envelope object', actors: [], keys: {} };
  }
  const spec = specOf(eventTypeOf(event, options.catalogue ?? defaultCatalogue));
  const fallback = generic(event);
  if (spec === undefined) return { ...fallback, actors: [], keys: {} };
  const url = renderFirst(spec.url, event);
  const actors: string[] = [];
  for (const template of spec.actors) {
    const actor = renderTemplate(template, event);
    if (actor !== undefined && !actors.includes(actor)) actors.push(actor);
  }
  const keys: Rendered['keys'] = {};
  for (const [key, template] of spec.keys) {
    const value = renderTemplate(template, event);
    if (value !== undefined) keys[key] = value;
  }
  return {
    summary: renderFirst(spec.summary, event) ?? fallback.summary,
    sentence: renderFirst(spec.sentence, event) ?? fallback.sentence,
    ...(url === undefined ? {} : { url }),
    actors,
    keys,
  };
}
