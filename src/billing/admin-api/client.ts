import { AdminApiRedirectError, AdminApiRequestError, AdminApiUnavailableError, AdminKeyRefusedError } from './errors.js';
import { truncate } from '../../format/truncate.js';
import { userAgent } from './user-agent.js';

export type QueryValue = string | number | string[] | undefined;

export interface AdminClientOptions {
  baseUrl: string;
  adminKey: string;
  sleep?: (ms: number) => Promise<void>;
  /** Tries for a 5xx, a network failure or no answer in time before giving up (the first included). */
  serverErrorTries?: number;
  /** Tries for a 429 before giving up. */
  rateLimitTries?: number;
  backoffMs?: number;
  /** How long one request (answer and body) may take before it counts as a failure. */
  requestTimeoutMs?: number;
  /** Told of every wait before a retry (a 429's retry-after can be two minutes of silence otherwise). */
  onWait?: (line: string) => void;
}

const ANTHROPIC_VERSION = '2023-06-01';
/** Never wait longer than this for one retry-after. */
const MAX_RETRY_AFTER_MS = 120_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Redirects followed within the configured Admin API URL for one request. */
const MAX_REDIRECTS = 3;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

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
 * 5xx, network failures and requests that time out back off and try again, then throw
 * AdminApiUnavailableError. Every request is bounded by `requestTimeoutMs`, so one `get` is
 * bounded by its tries. The key goes only to URLs under `baseUrl`: a redirect elsewhere is
 * refused. Counts every request it sends in `reads`.
 */
export class AdminClient {
  reads = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: AdminClientOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.headers = {
      'x-api-key': options.adminKey,
      'anthropic-version': ANTHROPIC_VERSION,
      accept: 'application/json',
      'user-agent': userAgent(),
    };
  }

  async get(path: string, query: Record<string, QueryValue>): Promise<unknown> {
    const url = `${this.options.baseUrl}${path}?${queryString(query)}`;
    const serverTries = this.options.serverErrorTries ?? 4;
    const rateTries = this.options.rateLimitTries ?? 5;
    const backoff = this.options.backoffMs ?? 500;
    const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    let serverFailures = 0;
    let rateLimits = 0;
    for (;;) {
      let answer: Answer;
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        answer = await this.send(url, path, signal);
      } catch (error) {
        if (error instanceof AdminApiRedirectError) throw error;
        const problem = signal.aborted ? `did not answer within ${timeoutMs / 1000}s` : describeNetworkError(error);
        if (++serverFailures >= serverTries) throw new AdminApiUnavailableError(`${path}: ${problem}, ${serverTries} tries`);
        await this.wait(backoff * 2 ** (serverFailures - 1), `${path}: ${problem}`, serverFailures + 1, serverTries);
        continue;
      }
      const { status } = answer;
      if (status === 401 || status === 403) throw new AdminKeyRefusedError(status, path);
      if (status === 429) {
        if (++rateLimits >= rateTries)
          throw new AdminApiUnavailableError(`${path}: still rate limited (HTTP 429) after ${rateTries} tries`);
        const ms = Math.min(retryAfterMs(answer.headers.get('retry-after')) ?? backoff * 2 ** (rateLimits - 1), MAX_RETRY_AFTER_MS);
        await this.wait(ms, `${path}: rate limited (HTTP 429)`, rateLimits + 1, rateTries);
        continue;
      }
      if (status >= 500) {
        if (++serverFailures >= serverTries) throw new AdminApiUnavailableError(`${path}: HTTP ${status} after ${serverTries} tries`);
        await this.wait(backoff * 2 ** (serverFailures - 1), `${path}: HTTP ${status}`, serverFailures + 1, serverTries);
        continue;
      }
      if (status < 200 || status >= 300) throw new AdminApiRequestError(status, path, errorMessage(answer.text));
      try {
        return JSON.parse(answer.text) as unknown;
      } catch {
        throw new AdminApiRequestError(status, path, 'the answer is not JSON');
      }
    }
  }

  private async wait(ms: number, why: string, nextTry: number, tries: number): Promise<void> {
    this.options.onWait?.(`${why}; trying again in ${formatWait(ms)} (try ${nextTry} of ${tries})`);
    await this.sleep(ms);
  }

  /** One request and its body within `signal`, following redirects only while they stay under `baseUrl`. */
  private async send(first: string, path: string, signal: AbortSignal): Promise<Answer> {
    let url = first;
    for (let hops = 0; ; hops++) {
      this.reads++;
      const response = await fetch(url, { headers: this.headers, redirect: 'manual', signal });
      const location = response.status >= 300 && response.status < 400 ? response.headers.get('location') : null;
      if (location === null) return { status: response.status, headers: response.headers, text: await response.text() };
      await response.body?.cancel();
      const target = URL.canParse(location, url) ? new URL(location, url) : undefined;
      if (target === undefined) throw new AdminApiRedirectError(path, `(HTTP ${response.status}) to a location that is not a URL`);
      if (target.username !== '' || target.password !== '')
        throw new AdminApiRedirectError(
          path,
          `(HTTP ${response.status}) to a URL that carries a user name or password; the redirect was not followed`,
        );
      if (!isUnder(target, this.options.baseUrl)) {
        const where = target.origin === new URL(this.options.baseUrl).origin ? `${target.origin}${target.pathname}` : target.origin;
        throw new AdminApiRedirectError(
          path,
          `(HTTP ${response.status}) to ${where}, away from the configured Admin API URL; the admin key is only sent to that URL, so the redirect was not followed`,
        );
      }
      if (hops >= MAX_REDIRECTS) throw new AdminApiRedirectError(path, `more than ${MAX_REDIRECTS} times`);
      url = target.href;
    }
  }
}

/** True when `target` is the configured Admin API URL or a path below it, on the same origin. */
function isUnder(target: URL, baseUrl: string): boolean {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  return target.origin === base.origin && (target.pathname === basePath || target.pathname.startsWith(`${basePath}/`));
}

const formatWait = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10}s`);

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
  return truncate(text, 200) || 'no message';
}
