export interface FakeUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}
export interface FakeTurn {
  /** `usage.cache_creation.ephemeral_1h_input_tokens`: the part of the cache write billed as 1-hour (the ledger's split). */
  blocks?: Array<{ type: 'text'; text: string } | { type: 'tool_use'; name: string; input?: unknown }>;
  usage?: FakeUsage & { cache_creation?: { ephemeral_1h_input_tokens?: number } };
  hang?: 'before-headers' | 'after-start';
  /** Bill the input side (and 1 output token) at message_start, start the first block, then never finish. */
  stall?: true;
}
export interface FakeContext {
  index: number;
  isSideRequest: boolean;
  lastUserText: string;
  messages: Array<{ role: string; content: unknown }>;
}
export type FakeScript = (
  body: { model: string; messages?: unknown[]; tools?: unknown[]; stream?: boolean },
  context: FakeContext,
) => FakeTurn;
export interface ServedRow {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  cacheCreation1hInputTokens: number;
  responses: number;
}
/** One completed response as billed: when, to which x-api-key, for which model. */
export interface LedgerEntry {
  at: number;
  apiKey: string;
  model: string;
  usage: Required<FakeUsage> & { cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } };
}
export interface FakeApi {
  url: string;
  port: number;
  served: Record<string, ServedRow>;
  requests: Array<{
    method?: string;
    path: string;
    model?: string;
    stream?: boolean;
    side?: boolean;
    usage?: Required<FakeUsage>;
    completed?: boolean;
    stalled?: boolean;
  }>;
  ledger: LedgerEntry[];
  close(): Promise<void>;
}
export function startFakeApi(options?: {
  script?: FakeScript;
  port?: number;
  host?: string;
  /** Called when a `stall` turn has sent its message_start (and been billed). */
  onStall?: (stalled: { messageId: string; model: string }) => void;
}): Promise<FakeApi>;
export const defaultScript: FakeScript;
