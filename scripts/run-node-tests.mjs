#!/usr/bin/env node
// Runs a package's node:test suite (the aedes forks carry their upstream's), bounded in time.
// Usage, from the package: node ../../scripts/run-node-tests.mjs [--exclude NAME]… [DIR=test]
// With FIREHOSE_TEST_OUTPUT=<dir>, also writes a TAP report there (<package>.tap) for .ci/run's
// closing count.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const exclude = new Set(['helper.js']);
let dir = 'test';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--exclude') exclude.add(args[++i]);
  else dir = args[i];
}
const files = readdirSync(dir)
  .filter((name) => /\.(js|cjs)$/.test(name) && !exclude.has(name))
  .map((name) => join(dir, name));
const name = JSON.parse(readFileSync('package.json', 'utf8')).name.replace(/^@/, '').replace('/', '-');
const output = process.env.FIREHOSE_TEST_OUTPUT;
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
if (output) {
  mkdirSync(resolve(output), { recursive: true });
  reporters.push(
    '--test-reporter=tap',
    `--test-reporter-destination=${join(resolve(output), `${name}.tap`)}`,
  );
}
// Two files at a time: upstream's suites have timing-sensitive tests (50 ms waits) that a busier
// machine turns flaky; the whole run still takes about a minute and a half.
const run = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=60000', ...reporters, ...files],
  {
    stdio: 'inherit',
    timeout: 10 * 60_000,
  },
);
if (run.error) console.error(`${name}: ${run.error.message}`);
process.exit(run.status ?? 1);
