import { FirehoseError, valueKind } from '@firehose/protocol';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/** Outcome of validating a payload: never throws, the error says where and what was expected. */
export type ValidationResult = { ok: true } | { ok: false; error: FirehoseError };

/** @internal Shared success value, so the hot path allocates nothing. */
export const VALID: ValidationResult = Object.freeze({ ok: true });

/** @internal The shape of a validator's error (TypeBox's and ajv's agree on it). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message: string;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

function at(root: unknown, pointer: string): unknown {
  let current = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function expectation(error: SchemaError): string {
  const { keyword, params } = error;
  switch (keyword) {
    case 'type':
      return `expected ${String(params.type)}`;
    case 'const':
      return `expected ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `expected one of ${JSON.stringify(params.allowedValues)}`;
    default:
      return error.message;
  }
}

/** @internal Turns a validator's first error into a FirehoseError whose `path` is a JSON Pointer into the data. */
export function toFirehoseError(
  label: string,
  schema: object,
  data: unknown,
  errors: readonly SchemaError[],
): FirehoseError {
  const first = errors.find((e) => e.keyword === 'required') ?? errors[0];
  if (first === undefined) {
    return new FirehoseError(
      'INVALID_PAYLOAD',
      `The ${label} payload does not match its schema; check it against the exported JSON Schema.`,
      {
        path: '',
      },
    );
  }
  if (first.keyword === 'required') {
    const missing = (first.params.requiredProperties as string[] | undefined) ?? [];
    const name = missing.find((key) => {
      const parent = at(data, first.instancePath);
      return parent === null || typeof parent !== 'object' || !(key in parent);
    });
    const path = `${first.instancePath}/${(name ?? '').replaceAll('~', '~0').replaceAll('/', '~1')}`;
    return new FirehoseError(
      'INVALID_PAYLOAD',
      `The ${label} payload is missing the required field ${path}; add it.`,
      { path },
    );
  }
  const path = first.instancePath;
  // A schema may explain a `not` rule in words (`errorMessage`): "must not be valid" says nothing.
  const explained = first.keyword === 'not' ? at(schema, first.schemaPath.replace(/^#/, '')) : undefined;
  const custom =
    explained !== null && typeof explained === 'object'
      ? (explained as { errorMessage?: unknown }).errorMessage
      : undefined;
  if (typeof custom === 'string') {
    return new FirehoseError(
      'INVALID_PAYLOAD',
      `The ${label} payload is invalid at ${path || '/'}: it ${custom}.`,
      { path },
    );
  }
  const value = at(data, path);
  return new FirehoseError(
    'INVALID_PAYLOAD',
    `The ${label} payload is invalid at ${path || '/'}: ${expectation(first)}, got ${describe(value)}.`,
    {
      path,
      redactedMessage: `The ${label} payload is invalid at ${path || '/'}: ${expectation(first)}, got ${valueKind(value)}.`,
    },
  );
}

/** Compiles a JSON Schema (TypeBox) into a fast validator that reports the first problem's JSON path. */
export function compileValidator(schema: TSchema, label: string): (data: unknown) => ValidationResult {
  const validator = Compile(schema);
  return (data: unknown): ValidationResult => {
    if (validator.Check(data)) return VALID;
    return { ok: false, error: toFirehoseError(label, schema, data, validator.Errors(data)) };
  };
}
