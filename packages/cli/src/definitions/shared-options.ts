// The flags several commands share, and the choices an implementation checks that its definition
// lists, spelled once. Only data: `firehose --help` and `<command> --help` load this, so nothing here
// may import the client, the schema or the broker.
import type { OptionSpec } from '../command.js';

/** Where a networked command connects when neither --url nor FIREHOSE_URL says. */
export const DEFAULT_URL = 'mqtt://localhost:1883';

/** `--url`, `--username` as every networked command spells them. */
export const CONNECTION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  url: {
    type: 'string',
    value: 'URL',
    description: 'Broker URL: mqtt://, mqtts://, ws:// or wss:// (env FIREHOSE_URL).',
    default: DEFAULT_URL,
  },
  username: {
    type: 'string',
    short: 'u',
    value: 'NAME',
    description:
      'Service account (env FIREHOSE_USERNAME); the password comes from FIREHOSE_PASSWORD or a prompt that does not echo.',
  },
};

/** `--history-url`: where `history` and `tail --since` read the archive. */
export const HISTORY_URL_OPTION: Readonly<Record<string, OptionSpec>> = {
  'history-url': {
    type: 'string',
    value: 'URL',
    description:
      "The broker's HTTP listener, the one serving /metrics (env FIREHOSE_HISTORY_URL); by default --url's host on port 9090, or the same origin for a ws(s):// URL without a port.",
  },
};

/** The selectors `tail` and `history` share: same flags, same meaning. */
export const SELECTION_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  service: {
    type: 'string',
    short: 's',
    value: 'NAME',
    description:
      "Only this service's declared event types (gerrit, zuul, …, or a site's own: tail learns them from the broker).",
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
    description: "Only events naming this person: part of a name, username or email ('Burst Tester', burst).",
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
};

export const WHERE_HELP = `Where (--where, the client SDK's predicate grammar; paths resolve against the envelope plus topic and params):
  condition  path = value | path != value | path ~ /regex/flags | path !~ pattern | path (truthy)
  combine    and, or, not, ( … )
  path       data.change.branch, data.approvals[].value (any element), data.patchSet.number, params.project, topic
  value      42, true, null, master, "quoted string"
  e.g. --where 'data.change.branch = master and data.approvals[].value = -2'`;

const FORMATS = ['pretty', 'terse', 'json', 'ndjson'] as const;

/** How `tail` and `history` print records: same flags, same formats. */
export const OUTPUT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
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
  raw: {
    type: 'boolean',
    description: 'Print payloads exactly as received instead of the parsed envelope.',
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
    description: 'pretty: do not fit lines to the terminal width (whole header, excerpt cut at --max-bytes).',
  },
};

export const FORMATS_HELP = `Formats:
  pretty   time, [service] and the schema's summary, then the topic and a one-line data excerpt;
           each line fits the terminal (…), or COLUMNS, or 80 columns; --wide keeps lines whole
  terse    'service: sentence', e.g. gerrit: Ann voted Code-Review+2 on openstack/nova #912345 "Fix race in scheduler"
  json     {topic, received_at, cursor, event} pretty-printed (cursor: archived events only)
  ndjson   one {"topic","received_at","cursor","event"} object per line; never coloured or truncated`;

/** `bridge gerrit --log-level`: its help lists them, its run checks them. */
export const BRIDGE_LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'silent'] as const;
