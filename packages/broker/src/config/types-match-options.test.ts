import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { OPTIONS, type OptionSpec } from './options.js';

// options.ts is the one table of keys, defaults and meanings. types.ts declares the same keys for
// TypeScript, and an editor shows each key's JSDoc on hover, so that JSDoc is generated from the
// table: this reads types.ts with the compiler, writes the comment each option key should carry
// (meaning, then `@default`), and fails when types.ts differs (`UPDATE_DOCS=1` rewrites it). A key
// declared in one file only fails here too.

const TYPES = fileURLToPath(new URL('./types.ts', import.meta.url));
const PRINT_WIDTH = 110;

interface Declared {
  /** Where it is written; none for a mapped type's keys (`listeners.mqtt`). */
  node?: ts.PropertySignature;
  /** Whether the value is a plain value (a config key), not an object of keys. */
  leaf: boolean;
  /** The `@default` tag's text as written. */
  default?: string;
}

/** Every property under `BrokerConfigInput`, by dotted key (`<name>` for record keys). */
function declaredProperties(text: string): Map<string, Declared> {
  const host = ts.createCompilerHost({});
  const readFileOf = host.readFile.bind(host);
  host.readFile = (file) => (file === TYPES ? text : readFileOf(file));
  const options = { strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const program = ts.createProgram({ rootNames: [TYPES], options, host });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(TYPES)!;
  const root = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === 'BrokerConfigInput',
  )!;
  const found = new Map<string, Declared>();
  const walk = (type: ts.Type, prefix: string, depth: number): void => {
    if (depth > 5) return;
    for (const property of checker.getPropertiesOfType(type)) {
      const key = `${prefix}${property.name}`;
      const node = property.declarations?.find(ts.isPropertySignature);
      const entry: Declared = node === undefined ? { leaf: true } : { node, leaf: true };
      const tag = property.getJsDocTags(checker).find((t) => t.name === 'default');
      if (tag) entry.default = ts.displayPartsToString(tag.text).trim();
      found.set(key, entry);
      const propertyType = checker.getNonNullableType(checker.getTypeOfSymbol(property));
      for (const member of propertyType.isUnion() ? propertyType.types : [propertyType]) {
        const element = checker.isArrayType(member)
          ? checker.getTypeArguments(member as ts.TypeReference)[0]
          : member;
        if (element === undefined || !(element.flags & ts.TypeFlags.Object)) continue;
        entry.leaf = false;
        const record = checker.getIndexInfoOfType(element, ts.IndexKind.String);
        if (record) walk(record.type, `${key}.<name>.`, depth + 1);
        else walk(element, `${key}.`, depth + 1);
      }
    }
  };
  walk(checker.getTypeAtLocation(root.name), '', 0);
  return found;
}

const LISTS = new Set<OptionSpec['type']['kind']>(['filters', 'client-ids', 'account-names', 'paths']);

/** The table's display default as TypeScript would write the value: `(none)` → `[]`, `info` → `"info"`. */
function tsDefault(option: OptionSpec): string | undefined {
  if (option.default === '—') return undefined;
  if (LISTS.has(option.type.kind)) {
    if (option.default === '(none)') return '[]';
    const items = option.default.split(/,\s*/).map((item) => JSON.stringify(item.replaceAll('`', '')));
    return `[${items.join(', ')}]`;
  }
  if (option.type.kind === 'int' || option.type.kind === 'bool') return option.default;
  return JSON.stringify(option.default);
}

/** A listener's key names the listener; other keys name no one. */
const listenerOf = (key: string): string | undefined => /^listeners\.(\w+)\./.exec(key)?.[1];

/** The JSDoc one declaration should carry, from every option it declares (one per listener for a listener field). */
function expectedComment(options: readonly OptionSpec[], indent: string): string {
  const meanings = new Set(options.map((option) => option.meaning));
  if (meanings.size > 1)
    throw new Error(`${options.map((o) => o.key).join(', ')} share one declaration but not one meaning`);
  const defaults = options.map(tsDefault);
  const distinct = new Set(defaults);
  const fallback =
    distinct.size === 1
      ? defaults[0]
      : options.map((option, i) => `${defaults[i]} (${listenerOf(option.key)})`).join(', ');
  const meaning = options[0]!.meaning;
  if (fallback === undefined && indent.length + meaning.length + 7 <= PRINT_WIDTH) return `/** ${meaning} */`;
  const lines = wrap(meaning, PRINT_WIDTH - indent.length - 3);
  if (fallback !== undefined) lines.push(`@default ${fallback}`);
  return ['/**', ...lines.map((line) => `${indent} * ${line}`), `${indent} */`].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** types.ts with every option key's JSDoc as the table says it. */
function generatedTypes(text: string, properties: Map<string, Declared>): string {
  const byNode = new Map<ts.PropertySignature, OptionSpec[]>();
  for (const option of OPTIONS) {
    const node = properties.get(option.key)?.node;
    if (node === undefined) continue;
    byNode.set(node, [...(byNode.get(node) ?? []), option]);
  }
  const edits: Edit[] = [];
  for (const [node, options] of byNode) {
    const start = node.getStart();
    const lineStart = text.lastIndexOf('\n', start) + 1;
    const indent = text.slice(lineStart, start);
    const comment = expectedComment(options, indent);
    const existing = (ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [])
      .filter((range) => text.startsWith('/**', range.pos))
      .at(-1);
    if (existing === undefined) edits.push({ start, end: start, text: `${comment}\n${indent}` });
    else edits.push({ start: existing.pos, end: existing.end, text: comment });
  }
  let result = text;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}

/** Whole objects (`accounts`, `trustProxy`) carry a summary default of their own. */
const OBJECT_KEY = /^(accounts|trustProxy|validation\.services)$/;

describe('config/types.ts is the option table for TypeScript', () => {
  const text = readFileSync(TYPES, 'utf8');
  const properties = declaredProperties(text);
  // One ListenerConfigInput serves every listener: a listener field counts when any has it.
  const generic = (key: string): string => key.replace(/^listeners\.\w+\./, 'listeners.*.');

  it('finds the declarations it documents', () => {
    expect(properties.get('limits.maxPacketBytes')?.leaf).toBe(true);
    expect(properties.get('listeners.ws.path')?.node).toBe(properties.get('listeners.wss.path')?.node);
    expect([...properties.values()].filter((p) => p.leaf).length).toBeGreaterThan(40);
  });

  it('declares the keys the table has and no other', () => {
    const table = new Set(OPTIONS.map((option) => generic(option.key)));
    const declared = new Set(
      [...properties].flatMap(([key, property]) => (property.leaf ? [generic(key)] : [])),
    );
    expect(
      [...table].filter((key) => !declared.has(key)),
      'in options.ts, not in types.ts',
    ).toEqual([]);
    expect(
      [...declared].filter((key) => !table.has(key)),
      'in types.ts, not in options.ts',
    ).toEqual([]);
  });

  it("carries each option's meaning and default as its JSDoc", () => {
    const generated = generatedTypes(text, properties);
    if (generated !== text && process.env.UPDATE_DOCS === '1') {
      writeFileSync(TYPES, generated);
      return;
    }
    expect(text, 'types.ts JSDoc differs from options.ts: rerun with UPDATE_DOCS=1').toBe(generated);
  });

  it('documents no default for a key the table does not have', () => {
    const keys = new Set(OPTIONS.flatMap((option) => [option.key, generic(option.key)]));
    const orphans = [...properties]
      .filter(([key, p]) => p.default !== undefined && !keys.has(generic(key)) && !OBJECT_KEY.test(key))
      .map(([key]) => key);
    expect(orphans).toEqual([]);
  });
});
