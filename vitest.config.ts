import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve each other's TypeScript source through the `@firehose/source`
// export condition. Vitest needs it for both client and SSR resolution
// (docs/architecture.md#source-resolution), and only inline projects with `extends: true` inherit
// it.
const conditions = ['@firehose/source'];
const project = (name: string, root: string) => ({ extends: true as const, test: { name, root } });
// `.ci/run` sets VITEST_JSON_REPORT so it can print the "N passed, N failed" line.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
    testTimeout: 20_000,
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
    hookTimeout: 30_000,
    // Vitest's default (one worker fewer than the cores) leaves a 2-core machine with one worker, and most suites
    // wait on processes they started (brokers, Redis, PostgreSQL, Chromium), so two overlap well: the whole suite
    // took 221 s with two workers against 372 s with one on this 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      project('protocol', 'packages/protocol'),
      project('schema', 'packages/schema'),
      project('broker', 'packages/broker'),
      project('client', 'packages/client'),
      project('cli', 'packages/cli'),
      project('dashboard', 'apps/dashboard'),
      project('integration', 'tests/integration'),
      project('bench', 'bench'),
      project('acme-site', 'examples/acme-site'),
    ],
  },
});
