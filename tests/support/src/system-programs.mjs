// @ts-check
// Plain JavaScript so that `scripts/provision.mjs` can load it with Node alone, before anything is installed or
// built, and the TypeScript suites import the very same table through `@firehose/test-support`
// (types: system-programs.d.mts).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** @typedef {import('./system-programs.d.mts').SystemProgramSpec} SystemProgramSpec */
/** @typedef {import('./system-programs.d.mts').LookupOptions} LookupOptions */

/**
 * Every system program the test suites start, in the order the message lists them. The one list: `pnpm check`
 * and `.ci/run` install from it (`scripts/provision.mjs`), suites resolve through it (`systemProgram()`), and
 * `tests/integration/provision.test.ts` fails when a suite spawns a program that is not in it.
 * A suite that needs a new program adds a row here; nothing else.
 * @type {readonly SystemProgramSpec[]}
 */
export const SYSTEM_PROGRAMS = [
  { program: 'redis-server', debianPackage: 'redis-server', usedBy: 'broker cluster tests' },
  { program: 'redis-sentinel', debianPackage: 'redis-sentinel', usedBy: 'broker Redis Sentinel tests' },
  {
    program: 'mosquitto',
    debianPackage: 'mosquitto',
    usedBy: 'comparisons with Mosquitto',
    locations: ['/usr/sbin/mosquitto'],
  },
  { program: 'mosquitto_sub', debianPackage: 'mosquitto-clients', usedBy: 'interop tests' },
  { program: 'mosquitto_pub', debianPackage: 'mosquitto-clients', usedBy: 'interop tests' },
  {
    program: 'python3',
    description: "Debian's /usr/bin/python3 with paho-mqtt",
    debianPackage: 'python3-paho-mqtt',
    usedBy: 'interop tests',
    // Debian's paho-mqtt installs for Debian's own python3; a pyenv/venv python3 first on PATH lacks it.
    locations: ['/usr/bin/python3'],
    probe: ['-c', 'import paho.mqtt.client'],
  },
  {
    program: 'chromium',
    debianPackage: 'chromium',
    usedBy: 'browser and dashboard tests',
    envOverride: 'CHROMIUM_PATH',
  },
  { program: 'openssl', debianPackage: 'openssl', usedBy: 'TLS tests' },
  // util-linux's script(1) gives a child process a terminal of a chosen width.
  { program: 'script', debianPackage: 'bsdutils', usedBy: 'CLI terminal-width tests' },
  {
    program: 'postgres',
    debianPackage: 'postgresql',
    usedBy: 'PostgreSQL tests',
    locations: ['/usr/lib/postgresql/*/bin/postgres'],
  },
  {
    program: 'initdb',
    debianPackage: 'postgresql',
    usedBy: 'PostgreSQL tests',
    locations: ['/usr/lib/postgresql/*/bin/initdb'],
  },
  { program: 'promtool', debianPackage: 'prometheus', usedBy: 'Prometheus rule and metrics tests' },
];

/**
 * @param {string} path
 * @returns {boolean}
 */
function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Version-aware descending order, so `/usr/lib/postgresql/16` comes before `/15` and `/9.6`.
 * @param {string} a
 * @param {string} b
 */
const newestFirst = (a, b) => b.localeCompare(a, 'en', { numeric: true });

/**
 * The existing paths a location pattern names under `root`, best first.
 * @param {string} pattern
 * @param {string} root
 * @returns {string[]}
 */
function expand(pattern, root) {
  const segments = pattern.split('/').filter((segment) => segment !== '');
  /** @type {string[]} */
  let paths = [root];
  for (const segment of segments) {
    if (segment !== '*') {
      paths = paths.map((path) => join(path, segment));
      continue;
    }
    paths = paths.flatMap((path) => {
      try {
        return readdirSync(path)
          .sort(newestFirst)
          .map((entry) => join(path, entry));
      } catch {
        return [];
      }
    });
  }
  return paths;
}

/**
 * @param {string} program
 * @returns {SystemProgramSpec}
 */
function specOf(program) {
  const spec = SYSTEM_PROGRAMS.find((entry) => entry.program === program);
  if (!spec) {
    throw new Error(
      `${program} is not in SYSTEM_PROGRAMS (tests/support/src/system-programs.mjs): add a row for it there, so provisioning installs it.`,
    );
  }
  return spec;
}

/** How a message names a program. @param {SystemProgramSpec} spec */
export const describeProgram = (spec) => spec.description ?? spec.program;

/**
 * The absolute path of a system program from the table, or `undefined` when it is not installed (or, with a
 * `probe`, does not work).
 * @param {string} program
 * @param {LookupOptions} [options]
 * @returns {string | undefined}
 */
export function findProgram(program, { env = process.env, root = '/' } = {}) {
  const spec = specOf(program);
  /** @type {string[]} */
  const candidates = [];
  const override = spec.envOverride === undefined ? undefined : env[spec.envOverride];
  if (override !== undefined && override !== '') {
    candidates.push(override);
  } else {
    for (const location of spec.locations ?? []) candidates.push(...expand(location, root));
    for (const dir of (env.PATH ?? '').split(delimiter)) if (dir !== '') candidates.push(join(dir, program));
  }
  for (const candidate of candidates) {
    if (!isExecutableFile(candidate)) continue;
    if (spec.probe && spawnSync(candidate, spec.probe, { stdio: 'ignore', timeout: 20_000 }).status !== 0)
      continue;
    return candidate;
  }
  return undefined;
}

/**
 * The rows of the table whose program `findProgram` cannot find.
 * @param {LookupOptions} [options]
 * @returns {SystemProgramSpec[]}
 */
export function missingPrograms(options) {
  return SYSTEM_PROGRAMS.filter((spec) => findProgram(spec.program, options) === undefined);
}

/**
 * The Debian command that installs the given rows' packages (each package once, in table order).
 * @param {readonly SystemProgramSpec[]} specs
 * @param {{ asRoot?: boolean }} [options] `asRoot: false` prefixes `sudo`. Default: whether this process is root.
 * @returns {string}
 */
export function installCommand(specs, { asRoot = process.getuid?.() === 0 } = {}) {
  const packages = [...new Set(specs.map((spec) => spec.debianPackage))];
  const sudo = asRoot ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * The absolute path of a system program a test starts, resolved through the table; spawn that path, never the
 * bare name, so a missing program is this sentence instead of `spawn … ENOENT`.
 * @param {string} program
 * @returns {string}
 * @throws {Error} naming the program, its Debian package and the command that installs it.
 */
export function systemProgram(program) {
  const path = findProgram(program);
  if (path !== undefined) return path;
  const spec = specOf(program);
  const override = spec.envOverride === undefined ? '' : `, or set ${spec.envOverride} to its path`;
  throw new Error(
    `${describeProgram(spec)} is not installed, and the ${spec.usedBy} need it: run \`${installCommand([spec])}\`${override} ` +
      `(or \`node scripts/provision.mjs\`, which \`pnpm check\` runs first, to install every program the tests need).`,
  );
}
