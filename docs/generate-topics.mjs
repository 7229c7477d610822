#!/usr/bin/env node
// Writes docs/topics.md from the built @firehose/schema:
//   pnpm turbo run build --filter=@firehose/schema && node docs/generate-topics.mjs
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderTopicsMarkdown } from './topics-markdown.mjs';

const schemaDist = fileURLToPath(new URL('../packages/schema/dist/index.js', import.meta.url));
const schema = await import(pathToFileURL(schemaDist).href);
const target = fileURLToPath(new URL('topics.md', import.meta.url));
await writeFile(target, renderTopicsMarkdown(schema));
console.log(`wrote ${target}`);
