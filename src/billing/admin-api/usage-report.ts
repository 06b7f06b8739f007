import type { AdminClient } from './client.js';
import { pageBound, readAllPages } from './paginate.js';
import { ShapeReader } from './shape.js';
import type { BilledCounts, BillingWindow, UsageBucket } from '../types.js';
import { addBilled } from '../billed-counts.js';

export const USAGE_REPORT_PATH = '/v1/organizations/usage_report/messages';
/** The most minute buckets one page may hold. */
const MAX_MINUTE_BUCKETS = 1440;

/** The API's RFC 3339 form, without milliseconds: 2026-11-30T12:04:00Z. */
export function rfc3339(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The minute buckets of `window`, billed to `apiKeyId`, per model. */
export async function fetchUsageBuckets(client: AdminClient, window: BillingWindow, apiKeyId: string): Promise<UsageBucket[]> {
  const minutes = Math.round((Date.parse(window.end) - Date.parse(window.start)) / 60_000);
  const data = await readAllPages(
    client,
    USAGE_REPORT_PATH,
    {
      starting_at: rfc3339(window.start),
      ending_at: rfc3339(window.end),
      bucket_width: '1m',
      group_by: ['model'],
      api_key_ids: [apiKeyId],
      limit: Math.min(Math.max(minutes, 1), MAX_MINUTE_BUCKETS),
    },
    pageBound(minutes),
  );
  const shape = new ShapeReader(USAGE_REPORT_PATH);
  return data.map((item, i) => parseBucket(shape, item, `data[${i}]`));
}

function parseBucket(shape: ShapeReader, item: unknown, where: string): UsageBucket {
  const bucket = shape.object(item, where);
  const models: Record<string, BilledCounts> = {};
  shape.array(bucket.results, `${where}.results`).forEach((raw, j) => {
    const at = `${where}.results[${j}]`;
    const result = shape.object(raw, at);
    const model = shape.string(result.model, `${at}.model`);
    const cache = shape.object(result.cache_creation, `${at}.cache_creation`);
    const fiveMinutes = shape.count(cache.ephemeral_5m_input_tokens, `${at}.cache_creation.ephemeral_5m_input_tokens`);
    const oneHour = shape.count(cache.ephemeral_1h_input_tokens, `${at}.cache_creation.ephemeral_1h_input_tokens`);
    const searches =
      result.server_tool_use === undefined || result.server_tool_use === null
        ? 0
        : shape.count(
            shape.object(result.server_tool_use, `${at}.server_tool_use`).web_search_requests ?? 0,
            `${at}.server_tool_use.web_search_requests`,
          );
    const counts: BilledCounts = {
      inputTokens: shape.count(result.uncached_input_tokens, `${at}.uncached_input_tokens`),
      outputTokens: shape.count(result.output_tokens, `${at}.output_tokens`),
      cacheCreationInputTokens: fiveMinutes + oneHour,
      cacheCreation5mInputTokens: fiveMinutes,
      cacheCreation1hInputTokens: oneHour,
      cacheReadInputTokens: shape.count(result.cache_read_input_tokens, `${at}.cache_read_input_tokens`),
      ...(searches > 0 && { webSearchRequests: searches }),
    };
    models[model] = models[model] ? addBilled(models[model], counts) : counts;
  });
  return {
    startingAt: shape.timestamp(bucket.starting_at, `${where}.starting_at`),
    endingAt: shape.timestamp(bucket.ending_at, `${where}.ending_at`),
    models,
  };
}
