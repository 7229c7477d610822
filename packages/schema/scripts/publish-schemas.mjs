// Snapshots every event type's JSON Schema into published/<type>.v<major>.json (run on dist/ by
// `pnpm --filter @firehose/schema publish-schemas`). A published version is immutable: existing
// snapshots are never rewritten; the script fails when the current schema is not a compatible
// extension of its snapshot, which means the change needs a new major.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { checkCompatible, exportJsonSchemas } from '@firehose/schema';

const directory = new URL('../published/', import.meta.url);
let written = 0;
let failed = 0;
for (const [file, schema] of exportJsonSchemas()) {
  const target = new URL(file, directory);
  if (!existsSync(target)) {
    writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
    written++;
    console.log(`published ${file}`);
    continue;
  }
  const { compatible, problems } = checkCompatible(JSON.parse(readFileSync(target, 'utf8')), schema);
  if (!compatible) {
    failed++;
    console.error(
      `${file} is not compatible with its published version; declare a new major instead:\n  ${problems.join('\n  ')}`,
    );
  }
}
console.log(`${written} new snapshot(s), ${failed} incompatible`);
process.exitCode = failed === 0 ? 0 : 1;
