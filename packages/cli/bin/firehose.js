#!/usr/bin/env node
// The `firehose` command package.json's `bin` names: a committed file outside dist/, so that
// `pnpm install` in a fresh clone links it before anything is built (a bin pointing into dist/
// warns "Failed to create bin" there). It runs the built CLI, dist/bin.js.
import { existsSync } from 'node:fs';

const bin = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(bin)) {
  process.stderr.write('firehose: @firehose/cli is not built (no dist/bin.js); run `pnpm build` first.\n');
  process.exit(1);
}
await import(bin.href);
