import type { LedgerEntry } from './server.mjs';

export interface FakeApiKey {
  id: string;
  key: string;
  name?: string;
  /** Default "active"; the real API also lists "archived", "expired" and "inactive" keys. */
  status?: string;
  /** Default: from `key`; null lists the key without a partial_key_hint. */
  hint?: string | null;
}
export interface BilledEntry {
  at?: number;
  apiKey: string;
  model: string;
  usage: Partial<LedgerEntry['usage']> & { server_tool_use?: { web_search_requests?: number } };
}
export interface FakeAdminApi {
  url: string;
  port: number;
  adminKey: string;
  apiKeys: FakeApiKey[];
  lagSeconds: number;
  pageSize: number;
  breakField: string | null;
  repeatCursor: boolean;
  endlessPages: boolean;
  hang: boolean;
  redirectTo: string | null;
  datedModels: boolean;
  /** The cost report's prices times this (data residency, fast mode). */
  costFactor: number;
  requests: Array<{ method?: string; path: string; query: string; headers: Record<string, string | string[] | undefined> }>;
  bill(entry: BilledEntry): void;
  failNext(status: number, options?: { times?: number; retryAfter?: number; message?: string }): void;
  close(): Promise<void>;
}
export const DATED_MODELS: Record<string, string>;
export function partialKeyHint(key: string): string;
export function startFakeAdminApi(options?: {
  adminKey?: string;
  apiKeys?: FakeApiKey[];
  ledgers?: Array<Array<{ at: number; apiKey: string; model: string; usage: Partial<LedgerEntry['usage']> }>>;
  lagSeconds?: number;
  pageSize?: number;
  port?: number;
  host?: string;
  now?: () => number;
}): Promise<FakeAdminApi>;
