import { UserError } from '../errors/user-error.js';
import { updateJsonLocked } from '../state/locked-update.js';
import type { z } from 'zod';
import type { BillingRecord } from './types.js';

/**
 * Sets the `billing` field of a task or sequence state file under the same lock the runs use,
 * so a `reconcile` during a run loses no update of either; nothing else in the file changes.
 */
export async function writeBillingRecord<T extends { billing?: BillingRecord }>(
  stateFile: string,
  schema: z.ZodType<T>,
  billing: BillingRecord,
): Promise<void> {
  await updateJsonLocked(stateFile, schema, (current) => {
    if (!current) throw new UserError(`${stateFile}: the state file went away while reconciling; nothing was written to it.`);
    return { ...current, billing };
  });
}
