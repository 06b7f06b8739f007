import type { AdminClient } from './client.js';
import { AdminApiRedirectError, AdminKeyRefusedError } from './errors.js';
import { pageBound, readAllPages } from './paginate.js';
import { ShapeReader } from './shape.js';
import type { BillingWindow } from '../types.js';
import { rfc3339 } from './usage-report.js';

export const COST_REPORT_PATH = '/v1/organizations/cost_report';
const DAY = 86_400_000;

/** Billed USD per model over whole UTC days; informational, since the organisation's other use those days counts too. */
export interface CostComparison {
  days: BillingWindow;
  /** Cost lines without a model (web search, code execution…) are under their description. */
  billedUsd: Record<string, number>;
}

/** The whole UTC days `window` touches. */
export function wholeDays(window: BillingWindow): BillingWindow {
  const start = Math.floor(Date.parse(window.start) / DAY) * DAY;
  const end = Math.ceil(Date.parse(window.end) / DAY) * DAY;
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/**
 * The cost report for the days of `window`, per model; undefined when the endpoint does not
 * answer as documented (it is optional: the token check does not depend on it).
 */
export async function fetchCostReport(client: AdminClient, window: BillingWindow): Promise<CostComparison | undefined> {
  const days = wholeDays(window);
  let data: unknown[];
  try {
    data = await readAllPages(
      client,
      COST_REPORT_PATH,
      {
        starting_at: rfc3339(days.start),
        ending_at: rfc3339(days.end),
        bucket_width: '1d',
        group_by: ['description'],
      },
      pageBound((Date.parse(days.end) - Date.parse(days.start)) / DAY),
    );
  } catch (error) {
    if (error instanceof AdminKeyRefusedError || error instanceof AdminApiRedirectError) throw error;
    return undefined;
  }
  const shape = new ShapeReader(COST_REPORT_PATH);
  const billedUsd: Record<string, number> = {};
  try {
    data.forEach((raw, i) => {
      const bucket = shape.object(raw, `data[${i}]`);
      shape.array(bucket.results, `data[${i}].results`).forEach((rawResult, j) => {
        const result = shape.object(rawResult, `data[${i}].results[${j}]`);
        const cents = Number(shape.string(result.amount, `data[${i}].results[${j}].amount`));
        const model =
          typeof result.model === 'string' && result.model
            ? result.model
            : typeof result.description === 'string'
              ? result.description
              : 'other';
        if (Number.isFinite(cents)) billedUsd[model] = (billedUsd[model] ?? 0) + cents / 100;
      });
    });
  } catch {
    return undefined;
  }
  return { days, billedUsd };
}
