// `pnpm bench`: firehose beside Mosquitto and plain aedes 1.2.0, in one run. Every scenario runs
// each broker fresh, alternating the order round by round (the machine's other load drifts), and
// prints a table of medians with the ratios firehose ÷ Mosquitto and firehose ÷ aedes. Results go
// to bench/results/. See bench/README.md for what each scenario models and how to read it.
//
//   pnpm bench [--quick] [--rounds N] [--only key,key] [--brokers firehose,mosquitto,aedes]
//              [--duration SECONDS] [--profile DIR] [--soak [--soak-minutes N]] [--render results.json]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  BROKERS,
  BROKER_LABELS,
  OPTIONAL_BROKERS,
  aedesIsPatched,
  fileLimits,
  mosquittoVersion,
  startBroker,
} from './brokers.mjs';
import { scenarios } from './scenarios.mjs';
import { renderScenario } from './table.mjs';
import { stopAllWorkers } from './workers.mjs';

const USAGE = `usage: pnpm bench [--quick] [--rounds N] [--only key,key] [--brokers firehose,mosquitto,aedes]
                  [--duration SECONDS] [--profile DIR] [--json FILE] [--soak [--soak-minutes N]] [--render results.json]

  --quick            every scenario tiny (seconds); what \`pnpm test\` runs
  --rounds N         rounds per scenario, brokers alternating (default 3, quick 1)
  --only KEYS        only these scenarios (comma list)
  --brokers NAMES    firehose, mosquitto, aedes (default all; firehose-base with FIREHOSE_BASE_DIST)
  --duration S       seconds per measured phase, at most 60 (default 8, quick 0.5)
  --profile DIR      write a CPU profile (.cpuprofile) of each Node broker (firehose, aedes) into DIR
  --json FILE        also write the results as JSON to FILE
  --soak             10-minute soak of demo traffic at 10x with churning subscribers (not in CI)
  --render FILE      re-print the tables of a saved results .json
See bench/README.md for what each scenario models.`;

const fail = (message) => {
  console.error(`bench: ${message}`);
  process.exit(2);
};

let parsed;
try {
  parsed = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      quick: { type: 'boolean', default: false },
      soak: { type: 'boolean', default: false },
      'soak-minutes': { type: 'string', default: '10' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      brokers: { type: 'string' },
      duration: { type: 'string' },
      profile: { type: 'string' },
      json: { type: 'string' },
      render: { type: 'string' },
    },
  });
} catch (error) {
  // parseArgs' own message names the flag ("Unknown option '--x'"); the usage says what exists.
  fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
}
const args = parsed.values;
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

if (args.render) {
  // Re-renders the tables of a results .json (e.g. after the table layout changed).
  const saved = JSON.parse(readFileSync(args.render, 'utf8'));
  console.log(
    `${saved.header.map((line) => `${line}  `).join('\n')}\n\n${saved.results.map((r) => renderScenario(r, saved.brokers)).join('\n\n')}`,
  );
  process.exit(0);
}

if (!existsSync(fileURLToPath(new URL('../node_modules/@firehose/broker/dist/index.js', import.meta.url)))) {
  fail(
    'the firehose broker is not built; run `pnpm build` first (`pnpm bench` from the repository root builds for you).',
  );
}

if (args.soak) {
  const { soak } = await import('./soak.mjs');
  await soak({ minutes: Number(args['soak-minutes']) });
  process.exit(0);
}

const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
const durationMs = Number(args.duration ?? (quick ? 0.5 : 8)) * 1000;
if (!(rounds >= 1) || !(durationMs > 0 && durationMs <= 60_000))
  fail('--rounds must be ≥ 1 and --duration between 0 and 60 seconds.');
const mosquitto = mosquittoVersion();
let brokers = args.brokers ? args.brokers.split(',') : BROKERS;
for (const b of brokers)
  if (![...BROKERS, ...OPTIONAL_BROKERS].includes(b))
    fail(`unknown broker "${b}"; choose from ${BROKERS.join(', ')}.`);
if (brokers.includes('firehose-base') && !process.env.FIREHOSE_BASE_DIST)
  fail('firehose-base needs FIREHOSE_BASE_DIST=<a broker build>/dist/index.js.');
if (!mosquitto && brokers.includes('mosquitto')) {
  console.warn('bench: mosquitto is not installed (apt-get install mosquitto); running without it.');
  brokers = brokers.filter((b) => b !== 'mosquitto');
}
const all = scenarios({ quick });
const only = args.only?.split(',');
for (const key of only ?? [])
  if (!all.some((s) => s.key === key))
    fail(`unknown scenario "${key}"; choose from ${all.map((s) => s.key).join(', ')}.`);
const chosen = all.filter((s) => !only || only.includes(s.key));
/** --quick shrinks connection counts ~20× (at least 5). */
const scale = (n) => (quick ? Math.max(5, Math.round(n / 20)) : n);
const limits = fileLimits();
if (limits.soft < 12_000 && chosen.some((s) => s.key === 'idle-10k') && !quick) {
  console.warn(
    `bench: open-file limit ${limits.soft} (hard ${limits.hard}); brokers get the hard limit, load processes need ~2,600 each.`,
  );
}

const header = [
  `firehose bench — ${new Date().toISOString()}${quick ? ' (quick)' : ''}`,
  `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at start; node ${process.version}`,
  `brokers: firehose (this checkout, production hooks), Mosquitto ${mosquitto ?? '(absent)'} (Debian, TCP), plain aedes 1.2.0 (npm, no hooks${aedesIsPatched() ? '; NOTE: patches/aedes@1.2.0.patch still applies to it' : ''})`,
  `${rounds} round(s), order rotated each round, medians shown; phases of ${durationMs / 1000} s`,
];
console.log(header.join('\n'));

// Ctrl-C: the brokers and load processes are children; they see the IPC channel close and exit.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const results = [];
const shared = {};
for (const scenario of chosen) {
  const rows = Object.fromEntries(brokers.map((b) => [b, []]));
  const began = Date.now();
  for (let round = 0; round < rounds; round++) {
    const order = brokers.map((_, i) => brokers[(i + round) % brokers.length]);
    for (const kind of order) {
      // A scenario a broker cannot run (plain aedes has no shared subscriptions): a dash in the table.
      if (scenario.brokers && !scenario.brokers.includes(kind)) {
        rows[kind].push({ unsupported: true });
        continue;
      }
      // --quick (a smoke test) keeps one broker of each kind for all scenarios: starting firehose
      // (module loading, scrypt) dominates a tiny scenario on a loaded machine.
      const broker = quick
        ? (shared[kind] ??= await startBroker(kind, { quick }))
        : await startBroker(kind, { profileDir: args.profile });
      try {
        const row = await scenario.run(broker, { durationMs, scale, quick });
        rows[kind].push(row);
      } catch (error) {
        console.error(
          `bench: ${scenario.key} on ${BROKER_LABELS[kind]} failed: ${error instanceof Error ? error.message : error}`,
        );
        rows[kind].push({ failed: String(error instanceof Error ? error.message : error) });
      } finally {
        if (!quick) await broker.stop();
      }
    }
  }
  const result = {
    key: scenario.key,
    title: scenario.title,
    models: scenario.models,
    rows,
    seconds: (Date.now() - began) / 1000,
  };
  results.push(result);
  console.log(`\n${renderScenario(result, brokers)}\n\n(${result.seconds.toFixed(0)} s)`);
}

await Promise.all(Object.values(shared).map((broker) => broker.stop()));
await stopAllWorkers();

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const dir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const markdown = `${header.map((line) => `${line}  `).join('\n')}\n\n${results.map((r) => renderScenario(r, brokers)).join('\n\n')}\n`;
const name = `${quick ? 'quick-' : ''}${stamp}`;
writeFileSync(`${dir}${name}.md`, markdown);
writeFileSync(
  `${dir}${name}.json`,
  JSON.stringify({ header, quick, rounds, durationMs, brokers, results }, null, 2),
);
if (args.json)
  writeFileSync(args.json, JSON.stringify({ header, quick, rounds, durationMs, brokers, results }, null, 2));
console.log(`\nwritten: bench/results/${name}.md and .json`);

// --quick is CI's smoke test: every scenario ran on every broker, and QoS 1 lost nothing.
const problems = [];
for (const r of results) {
  for (const [kind, list] of Object.entries(r.rows)) {
    for (const row of list) {
      if (row.failed) problems.push(`${r.key} on ${BROKER_LABELS[kind]} failed: ${row.failed}`);
      else if (r.key.includes('qos1') && row.loss > 0)
        problems.push(`${r.key} on ${BROKER_LABELS[kind]} lost ${row.loss} QoS 1 messages`);
    }
  }
}
if (problems.length > 0) {
  console.error(`\nbench: ${problems.join('\nbench: ')}`);
  process.exit(1);
}
