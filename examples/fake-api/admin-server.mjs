#!/usr/bin/env node
// An offline stand-in for Anthropic's Admin API (usage report, cost report, API keys), for the
// demo and the tests. Its bill is built from what fake Messages APIs served (their `ledger`:
// time, x-api-key, model, usage) plus anything billed directly with `bill()` — another client
// of the same key, say. It knows the truth per minute, per API key id, per model.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** USD per million tokens, for the cost report only. */
const PRICES = {
  'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  'claude-opus-4-1': { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 },
};

/** The dated snapshot names the usage and cost reports use where Claude Code says the alias (`datedModels`). */
export const DATED_MODELS = {
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
};

/** `sk-ant-api03-…`: the hint the API shows for a key, its start and end. */
export function partialKeyHint(key) {
  return `${key.slice(0, 7)}...${key.slice(-4)}`;
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

const error = (res, status, type, message, headers) => json(res, status, { type: 'error', error: { type, message } }, headers);

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function emptyResult(model) {
  return {
    uncached_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    cache_read_input_tokens: 0,
    output_tokens: 0,
    server_tool_use: { web_search_requests: 0 },
    api_key_id: null,
    workspace_id: null,
    model,
    service_tier: null,
    context_window: null,
  };
}

function addTo(result, usage) {
  const split = usage.cache_creation ?? { ephemeral_5m_input_tokens: usage.cache_creation_input_tokens ?? 0, ephemeral_1h_input_tokens: 0 };
  result.uncached_input_tokens += usage.input_tokens ?? 0;
  result.cache_creation.ephemeral_5m_input_tokens += split.ephemeral_5m_input_tokens ?? 0;
  result.cache_creation.ephemeral_1h_input_tokens += split.ephemeral_1h_input_tokens ?? 0;
  result.cache_read_input_tokens += usage.cache_read_input_tokens ?? 0;
  result.output_tokens += usage.output_tokens ?? 0;
  result.server_tool_use.web_search_requests += usage.server_tool_use?.web_search_requests ?? 0;
}

/**
 * Options: adminKey; apiKeys [{id, key, name, status, hint}] (what /api_keys lists, each billed
 * as its id; `status` defaults to "active", `hint: null` lists the key without a
 * partial_key_hint, as the real API may); ledgers (live arrays of {at, apiKey, model, usage});
 * lagSeconds (data shows this long after it was served; 900 is a lag beyond the 10 minutes
 * reconcile allows by default); pageSize (buckets per page at most, whatever `limit` asks); now.
 * The returned object's `lagSeconds`, `breakField` (a result field to leave out) and
 * `failNext(status, {times, retryAfter, message})` can be changed while it runs, and so can these
 * misbehaviours, all off by default: `repeatCursor` (every list says has_more with the same
 * next_page / last_id), `endlessPages` (has_more with a new cursor for ever), `hang` (accept
 * the request and never answer), `redirectTo` (an origin: every request answered with a 302
 * there), `datedModels` (the reports name models by dated snapshot, DATED_MODELS).
 * `costFactor` (the cost report's prices times this: a data-residency or fast-mode multiplier).
 * `requests` holds every request with its headers.
 */
export async function startFakeAdminApi({
  adminKey = 'sk-ant-admin01-fake-admin-key',
  apiKeys = [],
  ledgers = [],
  lagSeconds = 0,
  pageSize = 3,
  port = 0,
  host = '127.0.0.1',
  now = Date.now,
} = {}) {
  const direct = [];
  const faults = [];
  const requests = [];
  const api = {
    url: '',
    port: 0,
    adminKey,
    apiKeys,
    lagSeconds,
    pageSize,
    breakField: null,
    repeatCursor: false,
    endlessPages: false,
    hang: false,
    redirectTo: null,
    datedModels: false,
    costFactor: 1,
    requests,
    /** Bills usage to a key directly, as another client of it would: {at?, apiKey, model, usage}. */
    bill: (entry) => direct.push({ at: now(), ...entry }),
    failNext: (status, { times = 1, retryAfter, message } = {}) => {
      for (let i = 0; i < times; i++) faults.push({ status, retryAfter, message });
    },
    close: async () => {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  /** Every billed entry visible now, with the id of the key it was billed to. */
  const visible = () => {
    const idOf = new Map(api.apiKeys.map((k) => [k.key, k.id]));
    return [...ledgers.flat(), ...direct]
      .filter((entry) => entry.at + api.lagSeconds * 1000 <= now())
      .map((entry) => ({ ...entry, apiKeyId: idOf.get(entry.apiKey) ?? null }));
  };

  const usageReport = (url, res) => {
    const q = url.searchParams;
    const start = Date.parse(q.get('starting_at') ?? '');
    if (Number.isNaN(start)) return error(res, 400, 'invalid_request_error', 'starting_at: required, RFC 3339');
    const endParam = q.get('ending_at');
    const end = endParam ? Date.parse(endParam) : start + 60 * MINUTE;
    if (q.get('bucket_width') !== '1m') return error(res, 400, 'invalid_request_error', 'this fake serves bucket_width=1m only');
    const limit = Number(q.get('limit') ?? 60);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1440)
      return error(res, 400, 'invalid_request_error', 'limit: at most 1440 for 1m buckets');
    const byModel = q.getAll('group_by[]').includes('model');
    const keyIds = q.getAll('api_key_ids[]');
    const first = Math.floor(start / MINUTE) * MINUTE;
    const count = Math.max(0, Math.ceil((end - first) / MINUTE));
    const from = Number(q.get('page') ? Buffer.from(q.get('page'), 'base64url').toString() : 0);
    const size = Math.min(limit, api.pageSize);
    const entries = visible().filter((e) => keyIds.length === 0 || keyIds.includes(e.apiKeyId));
    const data = [];
    for (let i = from; i < Math.min(count, from + size); i++) {
      const bucketStart = first + i * MINUTE;
      const results = new Map();
      for (const entry of entries) {
        if (entry.at < bucketStart || entry.at >= bucketStart + MINUTE) continue;
        const model = byModel ? billedName(entry.model) : null;
        if (!results.has(model)) results.set(model, emptyResult(model));
        addTo(results.get(model), entry.usage);
      }
      const list = [...results.values()];
      if (api.breakField) for (const result of list) delete result[api.breakField];
      data.push({ starting_at: iso(bucketStart), ending_at: iso(bucketStart + MINUTE), results: list });
    }
    if (api.repeatCursor) return json(res, 200, { data, has_more: true, next_page: 'page_c2FtZQ' });
    const hasMore = api.endlessPages || from + size < count;
    json(res, 200, { data, has_more: hasMore, next_page: hasMore ? Buffer.from(String(from + size)).toString('base64url') : null });
  };

  const costReport = (url, res) => {
    const q = url.searchParams;
    const start = Math.floor(Date.parse(q.get('starting_at') ?? '') / DAY) * DAY;
    if (Number.isNaN(start)) return error(res, 400, 'invalid_request_error', 'starting_at: required, RFC 3339');
    const end = q.get('ending_at') ? Date.parse(q.get('ending_at')) : start + DAY;
    const data = [];
    for (let day = start; day < end; day += DAY) {
      const cents = new Map();
      for (const entry of visible()) {
        if (entry.at < day || entry.at >= day + DAY) continue;
        const p = PRICES[entry.model] ?? PRICES[entry.model.replace(/-\d{8}$/, '')];
        if (!p) continue;
        const u = entry.usage;
        const usd =
          ((u.input_tokens ?? 0) * p.input +
            (u.output_tokens ?? 0) * p.output +
            (u.cache_creation_input_tokens ?? 0) * p.cacheWrite +
            (u.cache_read_input_tokens ?? 0) * p.cacheRead) /
          1e6;
        cents.set(billedName(entry.model), (cents.get(billedName(entry.model)) ?? 0) + usd * 100 * api.costFactor);
      }
      const results = [...cents].map(([model, amount]) => ({
        currency: 'USD',
        amount: amount.toFixed(6),
        workspace_id: null,
        description: `${model} usage`,
        cost_type: 'tokens',
        context_window: '0-200k',
        model,
        service_tier: 'standard',
        token_type: null,
      }));
      data.push({ starting_at: iso(day), ending_at: iso(day + DAY), results });
    }
    json(res, 200, { data, has_more: false, next_page: null });
  };

  const listKeys = (url, res) => {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), 2);
    const after = url.searchParams.get('after_id');
    const from = after && !api.repeatCursor ? api.apiKeys.findIndex((k) => k.id === after) + 1 : 0;
    const page = api.apiKeys.slice(from, from + limit);
    json(res, 200, {
      data: page.map((k) => ({
        id: k.id,
        type: 'api_key',
        name: k.name ?? k.id,
        workspace_id: null,
        created_at: '2026-01-01T00:00:00Z',
        created_by: { id: 'user_fake', type: 'user' },
        partial_key_hint: k.hint === undefined ? partialKeyHint(k.key) : k.hint,
        status: k.status ?? 'active',
      })),
      has_more: api.repeatCursor || from + limit < api.apiKeys.length,
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
    });
  };

  const billedName = (model) => (api.datedModels ? (DATED_MODELS[model] ?? model) : model);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method, path: url.pathname, query: url.search, headers: { ...req.headers } });
    if (api.hang) return; // the connection stays open, unanswered, until close()
    if (api.redirectTo) return res.writeHead(302, { location: `${api.redirectTo}${req.url}` }).end();
    if (req.headers['x-api-key'] !== api.adminKey) return error(res, 401, 'authentication_error', 'invalid x-api-key');
    if (req.headers['anthropic-version'] !== '2023-06-01')
      return error(res, 400, 'invalid_request_error', 'anthropic-version: 2023-06-01 expected');
    const fault = faults.shift();
    if (fault) {
      return error(
        res,
        fault.status,
        fault.status === 429 ? 'rate_limit_error' : 'api_error',
        fault.message ?? `fake fault ${fault.status}`,
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
      );
    }
    if (req.method !== 'GET') return error(res, 405, 'invalid_request_error', 'GET only');
    if (url.pathname === '/v1/organizations/usage_report/messages') return usageReport(url, res);
    if (url.pathname === '/v1/organizations/cost_report') return costReport(url, res);
    if (url.pathname === '/v1/organizations/api_keys') return listKeys(url, res);
    return error(res, 404, 'not_found_error', `no route ${url.pathname}`);
  });

  await new Promise((resolve) => server.listen(port, host, resolve));
  api.port = server.address().port;
  api.url = `http://${host}:${api.port}`;
  return api;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const portArg = process.argv.indexOf('--port');
  const admin = await startFakeAdminApi({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 0 });
  process.stdout.write(`${admin.url}\n`);
  process.on('SIGINT', () => void admin.close().then(() => process.exit(0)));
}
