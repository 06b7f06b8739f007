import { AdminApiRequestError, AdminApiUnavailableError, AdminKeyRefusedError } from './errors.js';

export type QueryValue = string | number | string[] | undefined;

export interface AdminClientOptions {
  baseUrl: string;
  adminKey: string;
  sleep?: (ms: number) => Promise<void>;
  /** Tries for a 5xx or network failure before giving up (the first included). */
  serverErrorTries?: number;
  /** Tries for a 429 before giving up. */
  rateLimitTries?: number;
  backoffMs?: number;
}

const ANTHROPIC_VERSION = '2023-06-01';
/** Never wait longer than this for one retry-after. */
const MAX_RETRY_AFTER_MS = 120_000;

/** `group_by[]=model&api_key_ids[]=…`: arrays as repeated `name[]` parameters. */
export function queryString(query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(`${name}[]`, item);
    else params.append(name, String(value));
  }
  return params.toString();
}

/** Seconds or an HTTP date, as `retry-after` may be; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * GETs against the Admin API with its headers. 429 waits for `retry-after` and tries again;
 * 5xx and network failures back off and try again, then throw AdminApiUnavailableError.
 * Counts every request it sends in `reads`.
 */
export class AdminClient {
  reads = 0;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AdminClientOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async get(path: string, query: Record<string, QueryValue>): Promise<unknown> {
    const url = `${this.options.baseUrl}${path}?${queryString(query)}`;
    const serverTries = this.options.serverErrorTries ?? 4;
    const rateTries = this.options.rateLimitTries ?? 5;
    const backoff = this.options.backoffMs ?? 500;
    let serverFailures = 0;
    let rateLimits = 0;
    for (;;) {
      let response: Response;
      try {
        this.reads++;
        response = await fetch(url, {
          headers: { 'x-api-key': this.options.adminKey, 'anthropic-version': ANTHROPIC_VERSION, accept: 'application/json' },
        });
      } catch (error) {
        if (++serverFailures >= serverTries) throw new AdminApiUnavailableError(`${path}: ${describeNetworkError(error)}`);
        await this.sleep(backoff * 2 ** (serverFailures - 1));
        continue;
      }
      if (response.status === 401 || response.status === 403) throw new AdminKeyRefusedError(response.status, path);
      if (response.status === 429) {
        await response.body?.cancel();
        if (++rateLimits >= rateTries)
          throw new AdminApiUnavailableError(`${path}: still rate limited (HTTP 429) after ${rateTries} tries`);
        await this.sleep(
          Math.min(retryAfterMs(response.headers.get('retry-after')) ?? backoff * 2 ** (rateLimits - 1), MAX_RETRY_AFTER_MS),
        );
        continue;
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        if (++serverFailures >= serverTries)
          throw new AdminApiUnavailableError(`${path}: HTTP ${response.status} after ${serverTries} tries`);
        await this.sleep(backoff * 2 ** (serverFailures - 1));
        continue;
      }
      const text = await response.text();
      if (!response.ok) throw new AdminApiRequestError(response.status, path, errorMessage(text));
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new AdminApiRequestError(response.status, path, 'the answer is not JSON');
      }
    }
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: show the start of it
  }
  return text.slice(0, 200) || 'no message';
}
