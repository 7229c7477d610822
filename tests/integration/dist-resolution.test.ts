import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Plain Node ignores the `@firehose/source` condition, so a consumer of the published packages
// loads the built `dist/` JavaScript. This runs after `pnpm build` inside `pnpm check`.
const libraries = [
  '@firehose/protocol',
  '@firehose/schema',
  '@firehose/broker',
  '@firehose/client',
  '@firehose/cli',
];

describe('packages resolve to dist/ under plain Node', () => {
  it.each(libraries)('%s', (name) => {
    const script = `console.log(import.meta.resolve(${JSON.stringify(name)})); await import(${JSON.stringify(name)});`;
    const resolved = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
    }).trim();
    expect(resolved).toMatch(/\/dist\/index\.js$/);
  });
});
