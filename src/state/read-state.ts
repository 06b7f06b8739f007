import type { z } from 'zod';
import { firstIssueText } from '../declare/issues.js';
import { CorruptStateError, readJsonFile } from './atomic-json.js';

/**
 * A state file checked against its declaration; undefined when there is none. A file that does
 * not parse, or parses to the wrong shape, is a CorruptStateError naming the first bad field.
 * What the file holds is returned as it is, fields a later version added included, so that
 * rewriting it keeps them.
 */
export async function readStateFile<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const value = await readJsonFile<unknown>(file);
  return value === undefined ? undefined : checkState(file, value, schema);
}

export function checkState<T>(file: string, value: unknown, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CorruptStateError(file, firstIssueText(parsed.error), true);
  return value as T;
}
