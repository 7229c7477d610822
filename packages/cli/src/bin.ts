#!/usr/bin/env node
import { createRequire } from 'node:module';

// Checked before the command loads: on an older Node it would fail at some import or API with a
// message that does not say why.
const { engines } = createRequire(import.meta.url)('../package.json') as { engines: { node: string } };
const [wantMajor = 0, wantMinor = 0] = (/(\d+)\.(\d+)/.exec(engines.node) ?? []).slice(1).map(Number);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
  process.stderr.write(
    `firehose: needs Node ${wantMajor}.${wantMinor} or newer, and this is Node ${process.versions.node}; install a current LTS (22 or 24).\n`,
  );
  process.exit(1);
}
await import('./main.js');
