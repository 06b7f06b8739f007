import { ALL_COUNT_FIELDS, type ModelTokenUsage, type TokenUsage, type UsageSource } from './types.js';

export interface UsageDifference {
  /** Which number: `<step> attempt <n>`, `<step> total`, `task total`, `sequence.state.json …`. */
  where: string;
  model: string;
  field: string;
  state: number | null;
  log: number | null;
  /** Not written by `--fix`: the raw log gives this attempt only from a less exact source than the state's. */
  kept?: { stateSource: UsageSource; logSource: UsageSource };
}

/** Every (model, field) where a state's usage differs from the one rebuilt from the raw logs. */
export function compareUsage(where: string, inState: ModelTokenUsage | undefined, rebuilt: ModelTokenUsage): UsageDifference[] {
  const differences: UsageDifference[] = [];
  const models = new Set([...Object.keys(inState ?? {}), ...Object.keys(rebuilt)]);
  for (const model of models) {
    for (const field of [...ALL_COUNT_FIELDS, 'costUsd'] as const) {
      const state = numberOf(inState?.[model], field);
      const log = numberOf(rebuilt[model], field);
      const same = state === null || log === null ? state === log : field === 'costUsd' ? Math.abs(state - log) < 1e-9 : state === log;
      if (!same) differences.push({ where, model, field, state, log });
    }
  }
  return differences;
}

/** A number of a usage; 0 for a model the other side does not have. */
function numberOf(usage: TokenUsage | undefined, field: (typeof ALL_COUNT_FIELDS)[number] | 'costUsd'): number | null {
  return usage ? usage[field] : 0;
}
