export interface FakeUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}
export interface FakeTurn {
  blocks?: Array<{ type: 'text'; text: string } | { type: 'tool_use'; name: string; input?: unknown }>;
  usage?: FakeUsage;
  hang?: 'before-headers' | 'after-start';
}
export interface FakeContext {
  index: number;
  isSideRequest: boolean;
  lastUserText: string;
  messages: Array<{ role: string; content: unknown }>;
}
export type FakeScript = (body: { model: string; messages?: unknown[]; tools?: unknown[]; stream?: boolean }, context: FakeContext) => FakeTurn;
export interface ServedRow {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  responses: number;
}
export interface FakeApi {
  url: string;
  port: number;
  served: Record<string, ServedRow>;
  requests: Array<{ method?: string; path: string; model?: string; stream?: boolean; side?: boolean; usage?: Required<FakeUsage>; completed?: boolean }>;
  close(): Promise<void>;
}
export function startFakeApi(options?: { script?: FakeScript; port?: number; host?: string }): Promise<FakeApi>;
export const defaultScript: FakeScript;
