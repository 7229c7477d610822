import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import formatsModule, { type FormatsPlugin } from 'ajv-formats';
import { toFirehoseError, VALID, type SchemaError, type ValidationResult } from '../validation.js';

// ajv-formats is CommonJS: Node's ESM loader hands over `module.exports` (the plugin, which also
// carries `.default`), a bundler's interop may hand over `exports.default` only.
const addFormats: FormatsPlugin =
  (formatsModule as unknown as { default?: FormatsPlugin }).default ??
  (formatsModule as unknown as FormatsPlugin);

/**
 * One ajv (draft 2020-12) per catalogue: every event type's schema is compiled once, when the
 * catalogue is built. Unknown keywords (`x-*`, `errorMessage`, annotations) are allowed, as JSON
 * Schema says; formats (`date-time`, `uri`, ...) are checked.
 */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

/** ajv's error in the shape the payload error messages are written for. */
function adapt(error: ErrorObject): SchemaError {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return {
      ...error,
      params: { ...params, requiredProperties: [params.missingProperty] },
      message: error.message ?? '',
    };
  }
  return { ...error, params, message: error.message ?? `must pass "${error.keyword}"` };
}

/**
 * What is wrong with a schema itself (meta-validation against draft 2020-12), as
 * [JSON pointer into the schema, sentence]; undefined when it is a valid schema.
 */
export function schemaProblem(
  ajv: Ajv2020,
  schema: object,
): { pointer: string; message: string } | undefined {
  if (ajv.validateSchema(schema)) return undefined;
  const error = ajv.errors?.[0];
  if (error === undefined) return { pointer: '', message: 'is not a valid JSON Schema (draft 2020-12).' };
  const params = error.params as { allowedValues?: unknown };
  const allowed = Array.isArray(params.allowedValues)
    ? `: use one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
    : '';
  return {
    pointer: error.instancePath,
    message: `is not a valid JSON Schema (draft 2020-12): ${error.instancePath || '/'} ${error.message ?? 'is invalid'}${allowed}.`,
  };
}

/**
 * Compiles a (meta-valid) JSON Schema with ajv into the validator an event type carries: never
 * throws when called, and reports the first problem as a FirehoseError with a JSON pointer.
 * Compiling throws ajv's error for a schema it cannot compile (an unresolvable `$ref`).
 */
export function compileAjvValidator(
  ajv: Ajv2020,
  schema: object,
  label: string,
): (data: unknown) => ValidationResult {
  const validate = ajv.compile(schema);
  return (data: unknown): ValidationResult => {
    if (validate(data)) return VALID;
    return { ok: false, error: toFirehoseError(label, schema, data, (validate.errors ?? []).map(adapt)) };
  };
}
