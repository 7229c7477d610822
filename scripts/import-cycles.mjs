#!/usr/bin/env node
// Fails when the workspace's TypeScript modules import each other in a cycle, counting every kind
// of import: value, `import type` and lazy `import()`. eslint's import-x/no-cycle reports value
// cycles in the editor but skips type-only imports by design; a type cycle still ties two modules
// into one concept (docs/architecture.md#packages-and-imports). Part of `pnpm lint`.
//
//   node scripts/import-cycles.mjs            exit 1 and one line per cycle when there is any
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Workspace folders whose modules are ours (the aedes forks keep upstream's layout). */
const ROOTS = ['packages', 'apps', 'tests', 'bench', 'scripts', 'docs', 'demo'];
const SKIP = new Set([
  'node_modules',
  'dist',
  'coverage',
  '.turbo',
  'aedes',
  'aedes-persistence',
  'aedes-persistence-redis',
  'fixtures',
]);
const SOURCE = /\.(ts|tsx|mts|mjs|js)$/;

function* sourceFiles(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** `./x.js` written in TypeScript means `./x.ts` (NodeNext); a folder means its index. */
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|jsx)$/, '');
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    `${stem}.mts`,
    `${base}/index.ts`,
    `${base}/index.tsx`,
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

const graph = new Map();
for (const top of ROOTS) {
  for (const file of sourceFiles(join(root, top))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target) => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
}

// Tarjan's strongly connected components: every component of more than one module (or a module
// importing itself) is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const components = [];
function connect(node) {
  const entry = { index, low: index, onStack: true };
  index++;
  state.set(node, entry);
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    const seen = state.get(next);
    if (seen === undefined) {
      connect(next);
      entry.low = Math.min(entry.low, state.get(next).low);
    } else if (seen.onStack) entry.low = Math.min(entry.low, seen.index);
  }
  if (entry.low === entry.index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
  }
}
for (const node of graph.keys()) if (!state.has(node)) connect(node);

/** One concrete cycle through a component, for the message: a path back to its first module. */
function cycleThrough(component) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        const path = [node];
        while (previous.get(path[0]) !== undefined) path.unshift(previous.get(path[0]));
        return [...path, start];
      }
      if (members.has(next) && !previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

if (components.length > 0) {
  for (const component of components) {
    const cycle = cycleThrough(component).map((file) => relative(root, file));
    process.stderr.write(`import cycle: ${cycle.join(' -> ')}\n`);
  }
  process.stderr.write(
    `${components.length} import cycle(s), counting type-only and lazy imports: move what both sides need into a module of its own.\n`,
  );
  process.exit(1);
}
