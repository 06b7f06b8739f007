import { SequenceStateSchema } from '../state/sequence-state.js';
import { TaskStateSchema } from '../state/task-state.js';
import { sequenceStateFile } from '../state/paths.js';
import type { BillingCheck, GroupCheck, TaskCheck } from './reconcile/check.js';
import type { BillingRecord } from './types.js';
import { writeBillingRecord } from './write-billing-record.js';

function record(check: BillingCheck, part: GroupCheck | TaskCheck, reads: number): BillingRecord {
  return {
    status: part.status,
    checkedAt: check.checkedAt,
    ...(check.apiKeyId !== undefined && { apiKeyId: check.apiKeyId }),
    window: part.window,
    billed: part.billed,
    difference: part.difference,
    reads,
    ...('sharedWith' in part && part.sharedWith.length > 0 && { sharedWith: part.sharedWith }),
    ...(part.causes.length > 0 && { causes: part.causes }),
    ...(Object.keys(part.seenAs).length > 0 && { seenAs: part.seenAs }),
  };
}

/** Writes the check into each task state it covers and, for a sequence, into sequence.state.json. */
export async function recordCheck(check: BillingCheck, statePath: string, reads: number): Promise<void> {
  for (const task of check.tasks) await writeBillingRecord(task.stateFile, TaskStateSchema, record(check, task, reads));
  if (check.sequence) await writeBillingRecord(sequenceStateFile(statePath), SequenceStateSchema, record(check, check.sequence, reads));
}
