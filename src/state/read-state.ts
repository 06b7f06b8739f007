import type { z } from 'zod';
import { firstIssueText } from '../declare/issues.js';
import { CorruptStateError, readJsonFile } from './atomic-json.js';

/**
 * A state file checked against its declaration; undefined when there is none. A file that does
 * not parse, or parses to the wrong shape, is a CorruptStateError naming the first bad field.
 */
export async function readStateFile<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const value = await readJsonFile<unknown>(file);
  return value === undefined ? undefined : checkState(file, value, schema);
}

/**
 * The state as declared (fields an earlier version did not write filled in), keeping the fields
 * a later version added, so that rewriting the file loses none of them.
 */
export function checkState<T>(file: string, value: unknown, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CorruptStateError(file, firstIssueText(parsed.error), true);
  return withUnknownKept(value, parsed.data) as T;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function withUnknownKept(original: unknown, parsed: unknown): unknown {
  if (Array.isArray(parsed) && Array.isArray(original)) return parsed.map((item, index) => withUnknownKept(original[index], item));
  if (!isPlainObject(parsed) || !isPlainObject(original)) return parsed;
  const kept: Record<string, unknown> = { ...original };
  for (const [key, item] of Object.entries(parsed)) kept[key] = withUnknownKept(original[key], item);
  return kept;
}
