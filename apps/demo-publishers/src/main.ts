#!/usr/bin/env node
// CLI entry: `node apps/demo-publishers/dist/main.js --url mqtt://127.0.0.1:1883 --rate 1 --seed 42`.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Logger } from '@firehose/client';
import { loadAccounts } from './accounts.js';
import { startPublishers } from './publishers.js';

const HELP = `Usage: firehose-demo-publishers [options]

Publishes simulated gerrit, zuul, launchpad, gearman and ansible events to a firehose broker,
each service over its own connection with its own service account.

Options:
  --url <url>         broker URL (repeatable)          default mqtt://127.0.0.1:1883
  --rate <n>          traffic multiplier; 1 ≈ 1,000 msgs/min, 100 for load   default 1
  --seed <seed>       PRNG seed (number or word)       default 1
  --accounts <file>   service credentials (JSON)       default demo/accounts.json
  --qos <0|1>         publish QoS                      default 1
  --quiet             no periodic progress lines
  -h, --help          this text

Environment: FIREHOSE_DEMO_ACCOUNTS overrides the default accounts file.`;

const defaultAccounts = fileURLToPath(new URL('../../../demo/accounts.json', import.meta.url));

let lastLine = '';

/**
 * One line per warning or error on stderr (the message and its error's sentence, no stack); the
 * six service connections often fail alike, so a line repeating the previous one is skipped.
 */
function line(level: string, obj: object, msg?: string): void {
  const err = (obj as { err?: unknown }).err;
  const reason = err instanceof Error ? `: ${err.message}` : '';
  const text = `${level}: ${msg ?? ''}${reason}`;
  if (text !== lastLine) console.error(text);
  lastLine = text;
}

const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (obj, msg) => line('warn', obj, msg),
  error: (obj, msg) => line('error', obj, msg),
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', multiple: true },
      rate: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      accounts: { type: 'string' },
      qos: { type: 'string', default: '1' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const rate = Number(values.rate);
  const qos = values.qos === '0' ? 0 : 1;
  const seed = /^\d+$/.test(values.seed) ? Number(values.seed) : values.seed;
  const accounts = await loadAccounts(
    values.accounts ?? process.env.FIREHOSE_DEMO_ACCOUNTS ?? defaultAccounts,
  );
  const url = values.url ?? ['mqtt://127.0.0.1:1883'];
  const publishers = await startPublishers({ url, accounts, rate, seed, qos, logger });
  console.error(
    `demo publishers: ${Object.keys(accounts).join(', ')} → ${url.join(', ')} (rate ${rate}, seed ${String(seed)})`,
  );

  let last = 0;
  const progress = values.quiet
    ? undefined
    : setInterval(() => {
        const total = publishers.total;
        console.error(
          `published ${total} events (${Math.round(((total - last) / 10) * 60)}/min), failed ${publishers.stats.failed}, dropped ${publishers.stats.dropped}`,
        );
        last = total;
      }, 10_000);

  const shutdown = (): void => {
    clearInterval(progress);
    publishers.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
