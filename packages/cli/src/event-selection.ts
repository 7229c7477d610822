import { compilePredicate } from '@firehose/client';
import { isFirehoseError } from '@firehose/protocol';
import { mentionsPerson } from '@firehose/schema';
import type { KnownServices } from './known-services.js';
import type { ParsedArgs } from './parsed-args.js';
import { RecordView } from './output/record-view.js';
import type { TailRecord } from './output/tail-record.js';
import { buildFilters, parseParams } from './subscription-filters.js';
import { UsageError } from './usage-error.js';

/** What the selection flags asked for, checked. */
export interface EventSelection {
  /** Topic filters given as arguments, as typed. */
  readonly positionals: readonly string[];
  readonly service: string | undefined;
  readonly event: string | undefined;
  /** `--project` and every `--param`. */
  readonly params: Readonly<Record<string, string>>;
  /** The MQTT filters the flags make (the arguments, plus the declared ones for `--service`); `#` for none. */
  readonly filters: readonly string[];
  readonly where: string | undefined;
  /** `--where` compiled, for records the broker did not filter (invalid messages). */
  readonly predicate: ((value: unknown) => boolean) | undefined;
  readonly user: string | undefined;
  /** `--change` without a leading `#`. */
  readonly change: string | undefined;
}

/** How {@link readSelection} looks services up. */
export interface SelectionOptions {
  readonly sys: boolean;
  /** The services `--service/--event/--project` are checked against and expanded from. */
  readonly known: KnownServices;
  /**
   * Check every flag but let a service `known` lacks pass, for the check before connecting: the
   * command reads the selection again with the broker's services. @default false
   */
  readonly deferUnknownService?: boolean;
}

/** @throws UsageError naming the flag for anything malformed. */
export function readSelection(args: ParsedArgs, options: SelectionOptions): EventSelection {
  const where = args.string('where');
  let predicate: ((value: unknown) => boolean) | undefined;
  if (where !== undefined) {
    try {
      predicate = compilePredicate(where);
    } catch (error) {
      throw new UsageError(`--where: ${isFirehoseError(error) ? error.message : String(error)}`);
    }
  }
  const params = parseParams(args.strings('param'));
  const project = args.string('project');
  if (project !== undefined) params.project = project;
  const service = args.string('service');
  const event = args.string('event');
  const filters = buildFilters({
    filters: args.positionals,
    service,
    event,
    params,
    sys: options.sys,
    known: options.known,
    deferUnknownService: options.deferUnknownService ?? false,
  });
  const change = args.string('change')?.replace(/^#/, '');
  if (change !== undefined && !/^\d+$/.test(change))
    throw new UsageError(
      `--change must be a change number like 912345; got '${args.string('change') ?? ''}'.`,
    );
  return {
    positionals: args.positionals,
    service,
    event,
    params,
    filters,
    where,
    predicate,
    user: args.string('user'),
    change,
  };
}

/**
 * `--user` and `--change`: the same matching as the dashboard's User and Change filters, on what the
 * row shows, so it is done here rather than by the broker.
 */
export function matchesPersonAndChange(selection: EventSelection, record: TailRecord): boolean {
  if (selection.user !== undefined && !mentionsPerson(record.event?.data, selection.user)) return false;
  if (
    selection.change !== undefined &&
    new RecordView(record).render.keys.change !== selection.change &&
    record.params.change !== selection.change
  )
    return false;
  return true;
}
