import type { InvalidEvent, ReceivedEvent } from '@firehose/client';
import { brokerUrl, connectOnce, credentials } from '../broker-connection.js';
import {
  buildCatalogueView,
  parseCatalogueRecord,
  type CatalogueView,
  type Observed,
} from '../catalogue-view.js';
import type { CommandImplementation } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { BUILT_IN, learnServices, type KnownServices } from '../known-services.js';
import { createPalette, useColour, type Palette } from '../output/colour.js';

const CATALOGUE_FILTER = '$firehose/catalogue/#';

export const implementation: CommandImplementation = {
  async run(context) {
    const { args, env, stdout, stderr } = context;
    const format = args.choice('format', ['table', 'json'], 'table');
    const wait = args.duration('wait') ?? 1000;
    const records: NonNullable<ReturnType<typeof parseCatalogueRecord>>[] = [];
    let known: KnownServices = BUILT_IN;
    if (!args.boolean('declared')) {
      const url = brokerUrl(context);
      const client = await connectOnce(url, {
        ...(await credentials(context)),
        validate: false,
        dedupe: false,
      });
      const collect = (payload: Uint8Array): void => {
        const record = parseCatalogueRecord(payload);
        if (record !== undefined) records.push(record);
      };
      // Catalogue records are plain JSON, not envelopes, so the client reports them as "invalid".
      client.on('invalid', (invalid: InvalidEvent) => {
        if (invalid.topic.startsWith('$firehose/catalogue/')) collect(invalid.payload);
      });
      try {
        await client.subscribe(CATALOGUE_FILTER, (received: ReceivedEvent) => collect(received.payload), {
          qos: 0,
        });
        [known] = await Promise.all([
          learnServices(client, url, (message) => stderr.write(`firehose topics: warning: ${message}\n`)),
          new Promise((resolve) => setTimeout(resolve, wait)),
        ]);
      } finally {
        await client.close().catch(() => undefined);
      }
      if (records.length === 0) {
        stderr.write(
          `firehose topics: no catalogue records from ${url} (catalogue.interval 0, or nothing published yet).\n`,
        );
      }
    }
    const view = buildCatalogueView(records, known.catalogue);
    if (args.boolean('seen')) {
      view.declared = view.declared.filter((row) => row.observed.count + row.observed.invalid > 0);
    }
    if (format === 'json') {
      stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      return ExitCode.ok;
    }
    const palette = createPalette(
      useColour(args.choice('color', ['auto', 'always', 'never'], 'auto'), env, stdout),
    );
    stdout.write(formatTable(view, palette, !args.boolean('declared'), args.boolean('wide')));
    return ExitCode.ok;
  },
};

function formatTable(view: CatalogueView, palette: Palette, observed: boolean, wide: boolean): string {
  const header = [
    'TYPE',
    'V',
    'TOPIC TEMPLATE',
    ...(observed ? ['COUNT', 'RATE/S', 'INVALID', 'LAST SEEN'] : []),
    'NOTE',
    ...(wide ? [...(observed ? ['PUBLISHERS'] : []), 'DESCRIPTION'] : []),
  ];
  const rows: string[][] = [];
  for (const row of view.declared) {
    const note = row.deprecated ? 'deprecated' : '';
    rows.push([
      row.type,
      String(row.version),
      row.template,
      ...(observed ? figures(row.observed) : []),
      note,
      ...(wide ? [...(observed ? [row.observed.publishers.join(',')] : []), row.description] : []),
    ]);
  }
  for (const row of view.undeclared) {
    rows.push([
      '(undeclared)',
      '-',
      row.topic,
      ...figures(row.observed),
      'UNDECLARED: no schema',
      ...(wide ? [row.observed.publishers.join(','), ''] : []),
    ]);
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const numeric = new Set(observed ? [1, 3, 4, 5] : [1]);
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const out = [palette.bold(line(header))];
  for (const row of rows) {
    const text = line(row);
    out.push(
      // Flagged, not failed: bold, never red (red means a failure everywhere in the CLI).
      row[0] === '(undeclared)'
        ? palette.bold(text)
        : row[header.indexOf('NOTE')] === 'deprecated'
          ? palette.dim(text)
          : text,
    );
  }
  const seen = view.declared.filter((row) => row.observed.count > 0).length;
  const summary = observed
    ? `${view.declared.length} declared event types (${seen} seen), ${view.undeclared.length} undeclared topics.`
    : `${view.declared.length} declared event types.`;
  return `${out.join('\n')}\n\n${summary}\n`;
}

function figures(observed: Observed): string[] {
  return [
    String(observed.count),
    observed.rate.toFixed(2),
    String(observed.invalid),
    observed.lastSeen === null ? '-' : observed.lastSeen.replace(/\.\d+Z$/, 'Z'),
  ];
}
