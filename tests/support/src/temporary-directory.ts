import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/**
 * A fresh directory `$TMPDIR/firehose-<name>-XXXXXX` for one test file, removed with everything in it
 * once the file's tests have run (`afterAll`). Call it at the top level of the file (or of a
 * `describe`), never inside a test or hook; a test that needs a directory of its own makes one inside
 * it (`mkdtempSync(join(dir, 'run-'))`), so nothing outlives the file.
 */
export function temporaryDirectory(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `firehose-${name}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
