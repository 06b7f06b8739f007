import type { AdminClient } from './client.js';
import { MAX_PAGES, PageGuard } from './paginate.js';
import { ShapeReader } from './shape.js';
import { UserError } from '../../errors/user-error.js';
import { requireHeaderSafeKey } from './header-safe-key.js';
import { API_KEY_ID_ENV } from '../settings.js';

export const API_KEYS_PATH = '/v1/organizations/api_keys';
const API_KEY_ENV = 'ANTHROPIC_API_KEY';
/** Keys per page asked for; the API allows up to 1000. */
const PAGE_SIZE = 100;

interface ApiKeyHint {
  id: string;
  name: string;
  /** Null when the API shows no hint for the key: it cannot be matched. */
  partialKeyHint: string | null;
  status: string;
}

/** `sk-ant-api03-R2D...igAA` matches a key that starts with the part before `...` and ends with the part after. */
export function hintMatches(hint: string, key: string): boolean {
  const parts = hint.split('...');
  if (parts.length !== 2) return false;
  const [start, end] = parts as [string, string];
  return key.length >= start.length + end.length && key.startsWith(start) && key.endsWith(end);
}

async function listApiKeys(client: AdminClient): Promise<ApiKeyHint[]> {
  const shape = new ShapeReader(API_KEYS_PATH);
  const guard = new PageGuard(API_KEYS_PATH, MAX_PAGES);
  const keys: ApiKeyHint[] = [];
  let afterId: string | undefined;
  for (;;) {
    const body = shape.object(await client.get(API_KEYS_PATH, { limit: PAGE_SIZE, after_id: afterId }), 'the answer');
    const data = shape.array(body.data, 'data');
    data.forEach((raw, i) => {
      const key = shape.object(raw, `data[${i}]`);
      keys.push({
        id: shape.string(key.id, `data[${i}].id`),
        name: typeof key.name === 'string' ? key.name : '',
        partialKeyHint: key.partial_key_hint === null ? null : shape.string(key.partial_key_hint, `data[${i}].partial_key_hint`),
        status: shape.string(key.status, `data[${i}].status`),
      });
    });
    if (!shape.boolean(body.has_more, 'has_more') || data.length === 0) return keys;
    afterId = shape.string(body.last_id, 'last_id');
    guard.next(afterId);
  }
}

/**
 * The id of the organisation's active API key that `apiKey` is, by its hint (archived, expired
 * and inactive keys, and keys without a hint, are passed over). The key itself is never printed
 * or stored; none or several matches are a UserError saying which setting to add.
 */
export async function discoverApiKeyId(client: AdminClient, apiKey: string | undefined, configFile: string): Promise<string> {
  const setting = `set billing.apiKeyId in ${configFile} or ${API_KEY_ID_ENV} to the id (apikey_…) of the API key the runs use`;
  if (!apiKey)
    throw new UserError(`no API key to reconcile: ${API_KEY_ENV} is not set, so the key the runs used cannot be found; ${setting}.`);
  requireHeaderSafeKey(API_KEY_ENV, apiKey);
  const matches = (await listApiKeys(client)).filter(
    (key) => key.status === 'active' && key.partialKeyHint !== null && hintMatches(key.partialKeyHint, apiKey),
  );
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0)
    throw new UserError(`no API key of the organisation matches ${API_KEY_ENV} (only active keys with a hint are compared); ${setting}.`);
  throw new UserError(
    `${matches.length} API keys of the organisation match ${API_KEY_ENV} (${matches.map((k) => `${k.id}${k.name ? ` "${k.name}"` : ''}`).join(', ')}); ${setting}.`,
  );
}
