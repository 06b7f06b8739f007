import { canonicalModel } from '../../usage/model-name.js';
import { sumModelUsage } from '../../usage/math.js';
import type { ModelTokenUsage } from '../../usage/types.js';
import { addBilled } from '../billed-counts.js';
import type { BilledCounts } from '../types.js';

/** Per model (its one name), the names the sources used for it, sorted. */
export type SeenAs = Record<string, string[]>;

function noteName(seenAs: SeenAs, raw: string): string {
  const model = canonicalModel(raw);
  const names = seenAs[model] ?? [];
  if (!names.includes(raw)) seenAs[model] = [...names, raw].sort();
  return model;
}

/** Recorded usage under one name per model (an alias and its dated snapshot are one row), noting the names seen. */
export function canonicalRecorded(usage: ModelTokenUsage, seenAs: SeenAs): ModelTokenUsage {
  return sumModelUsage(...Object.entries(usage).map(([raw, counts]) => ({ [noteName(seenAs, raw)]: counts })));
}

/** Billed counts under one name per model, noting the names seen. */
export function canonicalBilled(billed: Record<string, BilledCounts>, seenAs: SeenAs): Record<string, BilledCounts> {
  const out: Record<string, BilledCounts> = {};
  for (const [raw, counts] of Object.entries(billed)) {
    const model = noteName(seenAs, raw);
    out[model] = out[model] ? addBilled(out[model], counts) : { ...counts };
  }
  return out;
}
