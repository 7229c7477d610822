import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from './options.js';

// options.ts is the one table of keys and defaults; types.ts declares the same keys, and repeats
// each default as `@default`, so an editor shows them on hover. This reads types.ts with the
// compiler and holds it to the table: the same keys, each documented, the same defaults. A key
// added to one file only (unvalidated, or missing from the README table) fails here.

const TYPES = fileURLToPath(new URL('./types.ts', import.meta.url));

interface Documented {
  /** The JSDoc text before the tags. */
  doc: string;
  /** The `@default` tag's text. */
  default?: string;
  /** Whether the value is a plain value (a config key), not an object of keys. */
  leaf: boolean;
}

/** Every property under `BrokerConfigInput`, by dotted key (`<name>` for record keys). */
function documentedProperties(): Map<string, Documented> {
  const program = ts.createProgram([TYPES], { strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(TYPES)!;
  const declaration = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === 'BrokerConfigInput',
  )!;
  const found = new Map<string, Documented>();
  const walk = (type: ts.Type, prefix: string, depth: number): void => {
    if (depth > 5) return;
    for (const property of checker.getPropertiesOfType(type)) {
      const key = `${prefix}${property.name}`;
      const tag = property.getJsDocTags(checker).find((t) => t.name === 'default');
      const doc = ts.displayPartsToString(property.getDocumentationComment(checker)).trim();
      const entry: Documented = { doc, leaf: true };
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
  walk(checker.getTypeAtLocation(declaration.name), '', 0);
  return found;
}

/** Both spellings to one: `[]` and `(none)`, a JSON list and `a, b`, `"x"` and `x`. */
function canonical(text: string): string {
  const plain = text.replaceAll('`', '').trim();
  try {
    const value: unknown = JSON.parse(plain);
    if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
    return String(value);
  } catch {
    return plain;
  }
}

describe('config/types.ts agrees with the option table', () => {
  const properties = documentedProperties();
  const documented = new Map(
    [...properties].flatMap(([key, p]) => (p.default === undefined ? [] : [[key, p.default] as const])),
  );

  it('reads the defaults types.ts documents', () => {
    expect(documented.get('limits.maxPacketBytes')).toBe('262144');
    expect(documented.size).toBeGreaterThan(30);
  });

  it("documents every option's default as options.ts states it", () => {
    const disagreements: string[] = [];
    for (const option of OPTIONS) {
      if (option.default === '—') continue;
      const text = documented.get(option.key);
      const listener = /^listeners\.(\w+)\./.exec(option.key)?.[1];
      // One ListenerConfigInput serves every listener: its port default lists each one's.
      const agrees =
        text !== undefined &&
        (canonical(text) === canonical(option.default) ||
          (listener !== undefined && text.includes(`${option.default} (${listener})`)));
      if (!agrees)
        disagreements.push(
          `${option.key}: options.ts says ${option.default}, types.ts says ${text ?? 'nothing'}`,
        );
    }
    expect(disagreements).toEqual([]);
  });

  it('declares, and documents, the keys the table has and no other', () => {
    // One ListenerConfigInput serves every listener: a listener field counts when any has it.
    const generic = (key: string): string => key.replace(/^listeners\.\w+\./, 'listeners.*.');
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
    const undocumented = OPTIONS.filter((option) => properties.get(option.key)?.doc === '');
    expect(
      undocumented.map((option) => option.key),
      'no JSDoc in types.ts',
    ).toEqual([]);
  });

  it('documents no default for a key the table does not have', () => {
    // A listener field counts when any listener has it (one ListenerConfigInput serves them all).
    const generic = (key: string): string => key.replace(/^listeners\.\w+\./, 'listeners.*.');
    const keys = new Set(OPTIONS.flatMap((option) => [option.key, generic(option.key)]));
    const orphans = [...documented.keys()].filter((key) => !keys.has(generic(key)) && !OBJECT_KEY.test(key));
    expect(orphans).toEqual([]);
  });
});

/** Whole objects (`accounts`, `trustProxy`) carry a summary default of their own. */
const OBJECT_KEY = /^(accounts|trustProxy|validation\.services)$/;
