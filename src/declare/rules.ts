import * as z from 'zod';

/**
 * Building blocks for the declarations of every boundary (config, state files, raw log markers, JSON
 * output). Each carries the message a user sees when a value breaks it, quoting the value.
 */

export const REQUIRED = 'is required';

/** How a value reads in an error message: `number 5`, `string "x"`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // JSON has no NaN or Infinity: it would write them as null
  if (typeof value === 'number' && !Number.isFinite(value)) return `number ${String(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const missingOr =
  (message: (input: unknown) => string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? REQUIRED : message(issue.input);

export function text(): z.ZodString {
  return z
    .string({ error: missingOr((input) => `expected a non-empty string, got ${describeValue(input)}`) })
    .refine((value) => value.trim() !== '', { error: (issue) => `expected a non-empty string, got ${describeValue(issue.input)}` });
}

export function pattern(regex: RegExp, hint: string): z.ZodString {
  return text().regex(regex, { error: (issue) => `${JSON.stringify(issue.input)} is not valid: use ${hint}` });
}

export function bool(): z.ZodBoolean {
  return z.boolean({ error: missingOr((input) => `expected true or false, got ${describeValue(input)}`) });
}

export interface NumberBounds {
  min?: number;
  /** The smallest value is excluded (a cap of 0 is no cap). */
  positive?: boolean;
  max?: number;
  maxHint?: string;
  integer?: boolean;
}

export function num(bounds: NumberBounds = {}): z.ZodNumber {
  let schema = z.number({ error: missingOr((input) => `expected a number, got ${describeValue(input)}`) });
  if (bounds.integer) schema = schema.int({ error: (issue) => `expected a whole number, got ${String(issue.input)}` });
  if (bounds.positive) schema = schema.positive({ error: (issue) => `expected a positive number, got ${String(issue.input)}` });
  if (bounds.min !== undefined) {
    const min = bounds.min;
    schema = schema.min(min, { error: (issue) => `expected a number ≥ ${min}, got ${String(issue.input)}` });
  }
  if (bounds.max !== undefined) {
    const max = bounds.max;
    const hint = bounds.maxHint ? ` (${bounds.maxHint})` : '';
    schema = schema.max(max, { error: (issue) => `expected a number ≤ ${max}${hint}, got ${String(issue.input)}` });
  }
  return schema;
}

export function list<T extends z.ZodType>(item: T, minItems = 0): z.ZodArray<T> {
  const schema = z.array(item, { error: missingOr((input) => `expected a list, got ${describeValue(input)}`) });
  return minItems > 0 ? schema.min(minItems, { error: () => `expected at least ${minItems} item(s), got none` }) : schema;
}

export function stringList(): z.ZodArray<z.ZodString> {
  return z.array(z.string({ error: (issue) => `expected a string, got ${describeValue(issue.input)}` }), {
    error: missingOr((input) => `expected a list of strings, got ${describeValue(input)}`),
  });
}

/** A mapping with exactly these keys: any other key is an error that lists the valid ones. */
export function mapping<T extends z.ZodRawShape>(shape: T): z.ZodObject<T, z.core.$strict> {
  const keys = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key; valid keys here: ${keys}`
        : issue.input === undefined
          ? REQUIRED
          : `expected a mapping, got ${describeValue(issue.input)}`,
  });
}

/** One of a fixed set of words. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: missingOr((input) => `expected one of ${values.join(', ')}, got ${describeValue(input)}`) });
}

/**
 * A mapping with at least these keys, for files we write ourselves: a later version may add
 * fields, which an earlier one must keep when it rewrites the file.
 */
export function record<T extends z.ZodRawShape>(shape: T): z.ZodObject<T> {
  return z.object(shape, { error: missingOr((input) => `expected a mapping, got ${describeValue(input)}`) });
}

/** A mapping from any key to values of one kind, e.g. usage per model. */
export function keyed<T extends z.ZodType>(value: T): z.ZodRecord<z.ZodString, T> {
  return z.record(z.string(), value, { error: missingOr((input) => `expected a mapping, got ${describeValue(input)}`) });
}

/** A token count: a whole number ≥ 0. */
export function count(): z.ZodNumber {
  return num({ min: 0, integer: true });
}

/** A point in time as the state files write it: ISO 8601 with a UTC offset (`2026-11-30T13:14:18.142Z`). */
export function timestamp(): z.ZodISODateTime {
  return z.iso.datetime({
    offset: true,
    error: missingOr((input) => `expected a timestamp such as 2026-01-31T12:00:00.000Z, got ${describeValue(input)}`),
  });
}
