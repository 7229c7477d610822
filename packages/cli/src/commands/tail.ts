import type { ClientState, InvalidEvent, ReceivedEvent } from '@firehose/client';
import { compilePredicate } from '@firehose/client';
import { FirehoseError, isFirehoseError } from '@firehose/protocol';
import { mentionsPerson } from '@firehose/schema';
import { CONNECTION_OPTIONS, brokerUrl, connectOnce, credentials } from '../broker-connection.js';
import type { Command } from '../command.js';
import { watchConnection } from '../connection-notices.js';
import type { CliEnv } from '../env.js';
import { ExitCode } from '../exit-codes.js';
import { createPalette, useColour } from '../output/colour.js';
import { FORMATS, createFormatter } from '../output/formatters.js';
import { RecordView } from '../output/record-view.js';
import type { TailRecord } from '../output/tail-record.js';
import { TEMPLATE_HELP } from '../output/template.js';
import { buildFilters, parseParams } from '../subscription-filters.js';
import { TimeoutExpired, UsageError } from '../usage-error.js';

const WHERE_HELP = `Where (--where, the client SDK's predicate grammar; paths resolve against the envelope plus topic and params):
  condition  path = value | path != value | path ~ /regex/flags | path !~ pattern | path (truthy)
  combine    and, or, not, ( … )
  path       data.change.branch, data.approvals[].value (any element), data.patchSet.number, params.project, topic
  value      42, true, null, master, "quoted string"
  e.g. --where 'data.change.branch = master and data.approvals[].value = -2'`;

export const tailCommand: Command = {
  name: ['tail'],
  aliases: ['sub'],
  summary: 'print events as they arrive (pretty, terse, json, ndjson or a template)',
  usage: 'tail [options] [filter…]',
  examples: [
    { command: 'tail', description: 'everything on mqtt://localhost:1883, one coloured line per event' },
    {
      command: 'tail --service gerrit --project openstack/nova --event comment-added',
      description: "Nova's review comments; the filters come from the schema, no topic syntax needed",
    },
    {
      command: "tail -o terse --where 'data.change.branch = master'",
      description: 'one English sentence per event on master',
    },
    {
      command: 'tail -o ndjson --count 10 | jq .event.type',
      description: 'ten events as JSON lines, then exit 0',
    },
    {
      command: "tail -o '{time} {service} {data.change.number} {summary}' 'zuul/#'",
      description: 'your own columns',
    },
    {
      command: 'tail --group log-workers -o ndjson zuul/#',
      description: 'run several: each event reaches one of them (a shared subscription)',
    },
    {
      command: 'tail --url wss://firehose.example/mqtt --sys',
      description: "include the broker's $SYS/$firehose topics",
    },
  ],
  options: {
    ...CONNECTION_OPTIONS,
    service: {
      type: 'string',
      short: 's',
      value: 'NAME',
      description: "Only this service's declared event types (gerrit, zuul, …).",
    },
    project: {
      type: 'string',
      short: 'p',
      value: 'NAME',
      description: 'Only this project (any depth: openstack/nova); needs --service.',
    },
    event: {
      type: 'string',
      short: 'e',
      value: 'NAME',
      description: 'Only this event (comment-added); needs --service.',
    },
    user: {
      type: 'string',
      value: 'TEXT',
      description:
        "Only events naming this person: part of a name, username or email ('Burst Tester', burst).",
    },
    change: {
      type: 'string',
      value: 'N',
      description: 'Only events about this change number (Gerrit, Zuul, log workers).',
    },
    param: {
      type: 'string',
      multiple: true,
      value: 'K=V',
      description: 'Another topic parameter, e.g. --param tenant=openstack.',
    },
    where: {
      type: 'string',
      short: 'w',
      value: 'EXPR',
      description: 'Only events matching this predicate (grammar below).',
    },
    format: {
      type: 'string',
      short: 'o',
      value: 'FMT',
      description: `${FORMATS.join('|')}|'<template>'.`,
      default: 'pretty',
    },
    color: {
      type: 'string',
      value: 'WHEN',
      description: 'auto|always|never; a non-empty NO_COLOR always wins.',
      default: 'auto',
    },
    count: { type: 'string', short: 'n', value: 'N', description: 'Exit 0 after N events.' },
    timeout: { type: 'string', value: 'DURATION', description: 'Give up after this long (10s, 2m): exit 3.' },
    raw: {
      type: 'boolean',
      description: 'Print payloads exactly as received instead of the parsed envelope.',
    },
    sys: {
      type: 'boolean',
      description: "Also subscribe to and show the broker's $SYS/# and $firehose/# topics.",
    },
    'max-bytes': {
      type: 'string',
      value: 'N',
      description:
        "pretty: cut the data excerpt at N bytes ('… +N bytes') instead of fitting the width; 0 = never.",
      default: '200',
    },
    wide: {
      type: 'boolean',
      description:
        'pretty: do not fit lines to the terminal width (whole header, excerpt cut at --max-bytes).',
    },
    qos: { type: 'string', value: '0|1|2', description: 'Subscription QoS.', default: '1' },
    group: {
      type: 'string',
      short: 'g',
      value: 'NAME',
      description:
        'Share the stream with the other tails of this group: each event goes to one of them ($share/NAME/…).',
    },
    quiet: {
      type: 'boolean',
      description:
        'No diagnostics on stderr (the "subscribed to" line, invalid-message notes, reconnect attempts).',
    },
    'exit-on-disconnect': {
      type: 'boolean',
      description: 'Exit 1 when the connection drops instead of reconnecting (for scripts).',
    },
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER },
  details: `Formats:
  pretty   time, [service] and the schema's summary, then the topic and a one-line data excerpt;
           each line fits the terminal (…), or COLUMNS, or 80 columns; --wide keeps lines whole
  terse    'service: sentence', e.g. gerrit: Ann voted Code-Review+2 on openstack/nova #912345 "Fix race in scheduler"
  json     {topic, received_at, event} pretty-printed
  ndjson   one {"topic","received_at","event"} object per line; never coloured or truncated
Colour: each service has a stable colour and a [service] prefix; red marks failures only.
Topics under $SYS and $firehose are hidden unless --sys is given or a filter starts with '$'.
Non-envelope or schema-invalid messages are still shown, flagged (diagnostics go to stderr in json/ndjson).
Connection: when the broker goes away, stderr says so at once (events published meanwhile are missed),
  then each reconnect attempt and when to expect the next, then 'back on URL after N s'.
  --exit-on-disconnect exits 1 instead, so a script can restart or alert.

${WHERE_HELP}

${TEMPLATE_HELP}`,
  async run(context) {
    const { args, env, stdout, stderr, signal } = context;
    const count = args.integer('count', { min: 1 });
    const timeout = args.duration('timeout');
    const qos = args.choice('qos', ['0', '1', '2'], '1');
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
    const sys = args.boolean('sys');
    const group = args.string('group');
    if (group !== undefined && (group === '' || /[/+#]/.test(group)))
      throw new UsageError(
        `--group ${JSON.stringify(group)}: a group name is non-empty and has no /, + or #; e.g. --group log-workers.`,
      );
    const filters = buildFilters({
      filters: args.positionals,
      service: args.string('service'),
      event: args.string('event'),
      params,
      sys,
    });
    const showDollar = sys || filters.some((filter) => filter.startsWith('$'));
    const format = args.string('format') ?? 'pretty';
    const machine = format === 'json' || format === 'ndjson';
    const colour =
      !machine &&
      !format.includes('{') &&
      useColour(args.choice('color', ['auto', 'always', 'never'], 'auto'), env, stdout);
    const formatter = createFormatter(format, {
      palette: createPalette(colour),
      raw: args.boolean('raw'),
      maxBytes: args.integer('max-bytes', { min: 0 }) ?? 200,
      columns: args.boolean('wide') || args.has('max-bytes') ? undefined : fitColumns(stdout, env),
    });

    const user = args.string('user');
    const change = args.string('change')?.replace(/^#/, '');
    if (change !== undefined && !/^\d+$/.test(change))
      throw new UsageError(
        `--change must be a change number like 912345; got '${args.string('change') ?? ''}'.`,
      );
    const url = brokerUrl(context);
    const client = await connectOnce(url, {
      ...(await credentials(context)),
      dedupe: 10_000,
      // Someone is watching: retry at least every 5 s rather than the client's default 30 s.
      backoff: { maxDelay: 5000 },
    });
    let printed = 0;
    let finish: (code: number | Error) => void = () => undefined;
    const done = new Promise<number>((resolve, reject) => {
      finish = (code) => (typeof code === 'number' ? resolve(code) : reject(code));
    });
    // Settled before anyone awaits it (a timeout during subscribe): not an unhandled rejection.
    done.catch(() => undefined);
    const emit = (record: TailRecord): void => {
      if (printed === count) return;
      if (record.topic.startsWith('$') && !showDollar) return;
      // Same matching as the dashboard's User and Change filters: what the row shows.
      if (user !== undefined && !mentionsPerson(record.event?.data, user)) return;
      if (
        change !== undefined &&
        new RecordView(record).render.keys.change !== change &&
        record.params.change !== change
      )
        return;
      // Each record is written on its own: pipes and files get it at once (flushed per record).
      stdout.write(formatter(record));
      printed += 1;
      if (printed === count) finish(ExitCode.ok);
    };
    client.on('invalid', (invalid: InvalidEvent) => {
      const record = fromInvalid(invalid);
      if (
        predicate !== undefined &&
        !predicate({ ...(invalid.event ?? {}), topic: invalid.topic, params: {} })
      )
        return;
      // $SYS counters are plain numbers, not envelopes: nothing to warn about.
      if (machine && !args.boolean('quiet') && !invalid.topic.startsWith('$'))
        stderr.write(`firehose tail: ${invalid.topic}: ${record.problem ?? 'invalid'}\n`);
      emit(record);
    });
    client.on('error', (error: Error) => stderr.write(`firehose tail: ${error.message}\n`));
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            const progress = count === undefined ? `${printed} events` : `${printed} of ${count} events`;
            finish(
              new TimeoutExpired(`--timeout ${args.string('timeout') ?? ''} expired after ${progress}.`),
            );
          }, timeout);
    const exitOnDisconnect = args.boolean('exit-on-disconnect');
    const unwatch = exitOnDisconnect
      ? undefined
      : watchConnection(client, {
          label: 'firehose tail',
          url,
          write: (line) => stderr.write(line),
          quiet: args.boolean('quiet'),
        });
    const onState = (state: ClientState): void => {
      if (state === 'reconnecting' && exitOnDisconnect)
        finish(
          new FirehoseError(
            'CONNECTION_FAILED',
            `lost the connection to ${url} after ${printed} events; exiting (--exit-on-disconnect).`,
          ),
        );
    };
    client.on('state', onState);
    const onAbort = (): void => finish(ExitCode.ok);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      // `--service gerrit` alone is 21 event types × 4 project depths: subscribe in one round trip's time.
      await Promise.all(
        filters.map((filter) =>
          client.subscribe(filter, (received: ReceivedEvent) => emit(fromReceived(received)), {
            qos: Number(qos) as 0 | 1 | 2,
            ...(where === undefined ? {} : { where }),
            ...(group === undefined ? {} : { group }),
          }),
        ),
      );
      if (!args.boolean('quiet'))
        stderr.write(
          `firehose tail: subscribed to ${describeFilters(filters)}${group === undefined ? '' : ` in group ${group}`} on ${url}\n`,
        );
      return await done;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      unwatch?.();
      client.off('state', onState);
      await client.close().catch(() => undefined);
    }
  },
};

/**
 * The width pretty output fits: the terminal's; a terminal that reports no size gets `COLUMNS`, else
 * 80; a pipe or file is fitted only when `COLUMNS` is set.
 */
function fitColumns(stdout: { isTTY?: boolean }, env: CliEnv): number | undefined {
  if (stdout.isTTY !== true) return env.columns;
  const columns = (stdout as { columns?: number }).columns;
  return columns !== undefined && columns > 0 ? columns : (env.columns ?? 80);
}

function fromReceived(received: ReceivedEvent): TailRecord {
  return {
    topic: received.topic,
    receivedAt: received.receivedAt,
    event: received.event,
    params: received.params,
    payload: received.payload,
    ...(received.eventType === undefined ? { problem: 'undeclared topic' } : {}),
  };
}

function fromInvalid(invalid: InvalidEvent): TailRecord {
  const path = invalid.error.path === undefined ? '' : ` at ${invalid.error.path}`;
  return {
    topic: invalid.topic,
    receivedAt: invalid.receivedAt,
    event: invalid.event,
    params: {},
    payload: invalid.payload,
    ...(invalid.topic.startsWith('$') ? {} : { problem: `${invalid.error.code}${path}` }),
  };
}

/** The filters for the "subscribed to" line; `--service gerrit` alone makes 84 of them. */
function describeFilters(filters: readonly string[]): string {
  if (filters.length <= 6) return filters.join(' ');
  return `${filters.length} filters (${filters.slice(0, 3).join(' ')} …)`;
}
