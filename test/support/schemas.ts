/**
 * The committed JSON Schemas (schemas/) compiled with ajv (draft 2020-12), as a consumer would use
 * them, plus `closed` copies for the tests: every object that lists its properties refuses others,
 * so a field the code writes but the schema does not describe fails the test (the published files
 * stay open: the API and the events may gain fields).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

export const SCHEMAS_URL = new URL('../../schemas/', import.meta.url);

export type JsonSchema = Record<string, unknown>;

export const loadSchema = (path: string): JsonSchema =>
  JSON.parse(readFileSync(new URL(path, SCHEMAS_URL), 'utf8')) as JsonSchema;

/** Strict, as a careful consumer would compile them (anyOf-of-required is the one idiom strict mode dislikes). */
export const newAjv = () =>
  new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });

/** A copy where every object schema with `properties` (and no say of its own) refuses other properties. */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // Conditions (`if`, `not`) are tests, not shapes: closing them would change what they say.
    if (key === 'if' || key === 'not') {
      copy[key] = value;
      continue;
    }
    // `properties` and `$defs` hold names, not schemas: close their values, keep the names.
    copy[key] =
      (key === 'properties' || key === '$defs') && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, closed(sub)]))
        : closed(value);
  }
  if (copy.properties && copy.additionalProperties === undefined && copy.unevaluatedProperties === undefined)
    copy.additionalProperties = false;
  return copy;
}

export interface SchemaCheck {
  (value: unknown): boolean;
  /** ajv's errors for the last call, in one line. */
  readonly errors: string;
}

/** A validator for a schema file (optionally the closed copy). */
export function validatorFor(path: string, options: { closed?: boolean } = {}): SchemaCheck {
  const schema = loadSchema(path);
  const validate: ValidateFunction = newAjv().compile(options.closed ? (closed(schema) as JsonSchema) : schema);
  const check = ((value: unknown) => validate(value) as boolean) as SchemaCheck;
  Object.defineProperty(check, 'errors', {
    get: () => JSON.stringify(validate.errors?.slice(0, 5) ?? []).slice(0, 1500),
  });
  return check;
}

/** Asserts a value is valid, naming the schema and ajv's errors when not. */
export function expectValid(check: SchemaCheck, value: unknown, what: string): void {
  if (!check(value))
    throw new Error(`${what} does not match its schema: ${check.errors}\n${JSON.stringify(value).slice(0, 800)}`);
}
