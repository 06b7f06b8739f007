import { canonicalBilled, canonicalRecorded, type SeenAs } from '../../src/billing/reconcile/canonical.js';
import { findCauses, type ModelToExplain } from '../../src/billing/reconcile/causes.js';
import { compareWithBill } from '../../src/billing/reconcile/decide.js';
import { resolveBillingSettings } from '../../src/billing/settings.js';
import type { BilledCounts } from '../../src/billing/types.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { notBilledToApiKey } from '../../src/state/api-key-source.js';
import type { TaskState } from '../../src/state/task-state.js';
import type { TokenUsage } from '../../src/usage/types.js';

const SONNET = 'claude-sonnet-4-5';
const END = '2026-11-30T12:05:00.000Z';
const MINUTE = 60_000;

function ours(input: number, output: number, write5m: number, write1h: number, read: number): TokenUsage {
  return {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: write5m + write1h,
    cacheCreation5mInputTokens: write5m,
    cacheCreation1hInputTokens: write1h,
    cacheReadInputTokens: read,
    costUsd: 1,
  };
}

function billed(input: number, output: number, write5m: number, write1h: number, read: number, searches = 0): BilledCounts {
  return {
    inputTokens: input,
    outputTokens: output,
    cacheCreationInputTokens: write5m + write1h,
    cacheCreation5mInputTokens: write5m,
    cacheCreation1hInputTokens: write1h,
    cacheReadInputTokens: read,
    ...(searches > 0 && { webSearchRequests: searches }),
  };
}

const explain = (models: ModelToExplain[], minutesAfterEnd = 2, settleMinutes = 60, costs?: Parameters<typeof findCauses>[0]['costs']) =>
  findCauses({ models, windowEnd: END, now: Date.parse(END) + minutesAfterEnd * MINUTE, settleMinutes, ...(costs && { costs }) });

describe('the likely cause of a difference', () => {
  test('equal everywhere: no cause', () => {
    expect(explain([{ model: SONNET, recorded: ours(10, 20, 30, 0, 40), billed: billed(10, 20, 30, 0, 40) }])).toEqual([]);
  });

  test('billed more: another client of the key, naming the counts', () => {
    const causes = explain([{ model: SONNET, recorded: ours(1200, 340, 0, 0, 0), billed: billed(1207, 343, 0, 0, 0) }]);
    expect(causes).toEqual([
      {
        cause: 'other-client',
        model: SONNET,
        explanation: expect.stringMatching(/^billed more than recorded \(\+7 input, \+3 output\): another client of the key/),
      },
    ]);
  });

  test('billed less inside the settle time: not settled yet; past it: missing from the bill', () => {
    const models = [{ model: SONNET, recorded: ours(500, 60, 0, 0, 1000), billed: undefined }];
    const young = explain(models, 30, 60);
    expect(young.map((c) => c.cause)).toEqual(['not-settled']);
    expect(young[0]!.explanation).toContain('-500 input, -60 output, -1,000 cache read');
    expect(young[0]!.explanation).toContain('the window ended 30 minutes ago');
    const old = explain(models, 61, 60);
    expect(old.map((c) => c.cause)).toEqual(['missing-from-bill']);
    expect(old[0]!.explanation).toContain('61 minutes after the window ended (settleMinutes 60)');
  });

  test('the same cache writes split otherwise: a cache TTL difference, and no other cause', () => {
    const causes = explain([{ model: SONNET, recorded: ours(10, 20, 2000, 0, 40), billed: billed(10, 20, 1500, 500, 40) }]);
    expect(causes).toEqual([
      {
        cause: 'cache-ttl',
        model: SONNET,
        explanation: expect.stringContaining('billed as 5m 1,500 + 1h 500 but recorded as 5m 2,000 + 1h 0'),
      },
    ]);
  });

  test('web search requests billed: said, with their number', () => {
    const causes = explain([{ model: SONNET, recorded: ours(10, 20, 0, 0, 0), billed: billed(10, 20, 0, 0, 0, 3) }]);
    expect(causes).toEqual([
      { cause: 'web-search', model: SONNET, explanation: expect.stringMatching(/^3 web search request\(s\) billed/) },
    ]);
  });

  test('equal tokens, the cost one factor off for every model: a price multiplier; factors that differ: none', () => {
    const models = [
      { model: SONNET, recorded: ours(10, 20, 0, 0, 0), billed: billed(10, 20, 0, 0, 0) },
      { model: 'claude-haiku-4-5', recorded: ours(1, 2, 0, 0, 0), billed: billed(1, 2, 0, 0, 0) },
    ];
    const multiplied = explain(models, 2, 60, [
      { model: SONNET, billedUsd: 0.011, recordedCostUsd: 0.01 },
      { model: 'claude-haiku-4-5', billedUsd: 0.0022, recordedCostUsd: 0.002 },
    ]);
    expect(multiplied).toEqual([{ cause: 'cost-multiplier', explanation: expect.stringContaining('1.10× the recorded price') }]);
    const uneven = explain(models, 2, 60, [
      { model: SONNET, billedUsd: 0.011, recordedCostUsd: 0.01 },
      { model: 'claude-haiku-4-5', billedUsd: 0.003, recordedCostUsd: 0.002 },
    ]);
    expect(uneven).toEqual([]);
    const equal = explain(models, 2, 60, [{ model: SONNET, billedUsd: 0.01, recordedCostUsd: 0.01 }]);
    expect(equal).toEqual([]);
  });
});

describe('model identity', () => {
  test("Claude Code's alias and the usage report's dated snapshot are one model; the names seen are kept", () => {
    const seenAs: SeenAs = {};
    const recorded = canonicalRecorded({ 'claude-sonnet-4-5[1m]': ours(10, 20, 0, 0, 0) }, seenAs);
    const bill = canonicalBilled({ 'claude-sonnet-4-5-20250929': billed(10, 20, 0, 0, 0) }, seenAs);
    expect(Object.keys(recorded)).toEqual([SONNET]);
    expect(compareWithBill(recorded, bill).difference).toEqual({});
    expect(seenAs).toEqual({ [SONNET]: ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5[1m]'] });
  });
});

describe('settling', () => {
  test('a shortfall may be the provider delay for 60 minutes by default', () => {
    const raw = ConfigSchema.parse({ pipeline: [{ name: 'a', prompt: 'A' }] });
    const config = resolveConfig(raw, { file: '/p/claude-project.yaml', rootDir: '/p', env: {} });
    expect(resolveBillingSettings(config, { ANTHROPIC_ADMIN_KEY: 'sk-ant-admin01-x' })?.settleMinutes).toBe(60);
  });
});

describe('not billed to an API key', () => {
  const task = (...sources: Array<string | undefined>): TaskState =>
    ({
      steps: [{ attempts: sources.map((apiKeySource) => (apiKeySource === undefined ? {} : { apiKeySource })) }],
    }) as unknown as TaskState;

  test('every recorded apiKeySource none: not billed; a key, or nothing recorded: billed', () => {
    expect(notBilledToApiKey(task('none', 'none'))).toBe(true);
    expect(notBilledToApiKey(task('none', undefined))).toBe(true);
    expect(notBilledToApiKey(task('none', 'ANTHROPIC_API_KEY'))).toBe(false);
    expect(notBilledToApiKey(task('apiKeyHelper'))).toBe(false);
    expect(notBilledToApiKey(task(undefined))).toBe(false);
  });
});
