#!/usr/bin/env node
// @ts-check
// Makes sure every system program the test suites start is installed, before any test runs. `pnpm check` runs
// it first, and `.ci/run` runs `pnpm check`; the list itself is SYSTEM_PROGRAMS in
// tests/support/src/system-programs.mjs. Node alone runs it: no build, no dependency.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  SYSTEM_PROGRAMS,
  describeProgram,
  installCommand,
  missingPrograms,
} from '../tests/support/src/system-programs.mjs';

const USAGE = `Usage: node scripts/provision.mjs [--check] [--root DIR]

Checks that every system program the test suites start is installed. Missing ones are installed with
apt-get when this runs as root on Debian; otherwise it stops with one message naming each missing program
and the command that installs it.

  --check      only check and report, never install
  --root DIR   look for fixed locations (/usr/sbin/…, /usr/lib/postgresql/…) under DIR instead of /
               (with a PATH of your choosing, this stands in for a bare machine)
`;

/** @param {string} line */
const say = (line) => process.stderr.write(`provision: ${line}\n`);

/** @type {{ check?: boolean; root?: string; help?: boolean }} */
let options;
try {
  ({ values: options } = parseArgs({
    // `pnpm provision -- --check` passes the `--` on.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: { check: { type: 'boolean' }, root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (error) {
  say(`${/** @type {Error} */ (error).message.split('. ')[0].replace(/\.$/, '')}: see --help.`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const lookup = { root: options.root ?? '/' };

/**
 * One message: each missing program, its package and the suites that need it, then the command.
 * @param {ReturnType<typeof missingPrograms>} missing
 */
function report(missing) {
  const width = Math.max(...missing.map((spec) => describeProgram(spec).length));
  const rows = missing.map(
    (spec) =>
      `  ${describeProgram(spec).padEnd(width)}  Debian package ${spec.debianPackage}, for the ${spec.usedBy}`,
  );
  const noApt = hasAptGet()
    ? []
    : ['(this system has no apt-get: install the same programs with its own package manager)'];
  say(
    [
      `${missing.length} of the ${SYSTEM_PROGRAMS.length} system programs the tests start ${missing.length === 1 ? 'is' : 'are'} missing:`,
      ...rows,
      'Install them with this command, then run the tests again:',
      `  ${installCommand(missing)}`,
      ...noApt,
    ].join('\n'),
  );
}

// Debian's own apt-get, not whatever PATH holds: a PATH that hides the test programs still runs on Debian.
const APT_GET = '/usr/bin/apt-get';
const hasAptGet = () => existsSync(APT_GET);

/**
 * `apt-get update` once, then one `apt-get install` of every missing package. Quiet unless it fails.
 * @param {string[]} packages
 * @returns {boolean}
 */
function aptInstall(packages) {
  // dpkg's maintainer scripts need the system directories even when the caller's PATH lacks them.
  const PATH = [process.env.PATH, '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']
    .filter(Boolean)
    .join(':');
  const env = { ...process.env, PATH, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for another apt/dpkg (unattended-upgrades, a concurrent install) instead of failing on its lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  for (const args of [
    ['update', '-qq', ...lock],
    ['install', '-y', '-qq', '--no-install-recommends', ...lock, ...packages],
  ]) {
    const run = spawnSync(APT_GET, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) {
      const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
      say(`\`apt-get ${args.join(' ')}\` failed (exit ${run.status}):`);
      process.stderr.write(`${output.trim().split('\n').slice(-20).join('\n')}\n`);
      return false;
    }
  }
  return true;
}

const missing = missingPrograms(lookup);
if (missing.length === 0) {
  say(`all ${SYSTEM_PROGRAMS.length} system programs the tests start are installed.`);
  process.exit(0);
}

const canInstall =
  !options.check &&
  process.getuid?.() === 0 &&
  options.root === undefined &&
  existsSync('/etc/debian_version');
if (!canInstall || !hasAptGet()) {
  report(missing);
  process.exit(1);
}

const packages = [...new Set(missing.map((spec) => spec.debianPackage))];
say(
  `installing ${packages.join(' ')} with apt-get, for ${missing.map((spec) => describeProgram(spec)).join(', ')} …`,
);
const started = Date.now();
const installed = aptInstall(packages);
const stillMissing = missingPrograms(lookup);
if (!installed) {
  report(missing);
  process.exit(1);
}
if (stillMissing.length > 0) {
  const names = stillMissing.map((spec) => describeProgram(spec)).join(', ');
  say(
    `apt-get installed ${packages.join(' ')}, but ${names} still cannot be found: check that PATH holds /usr/bin.`,
  );
  process.exit(1);
}
say(
  `installed in ${Math.round((Date.now() - started) / 1000)} s; all ${SYSTEM_PROGRAMS.length} system programs the tests start are installed.`,
);
