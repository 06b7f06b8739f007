import { API_KEY_ID_PATTERN } from '../config/schema.js';
import type { ProjectConfig } from '../config/types.js';
import { UserError } from '../errors/user-error.js';
import { requireHeaderSafeKey } from './admin-api/header-safe-key.js';

export const ADMIN_KEY_ENV = 'ANTHROPIC_ADMIN_KEY';
export const ADMIN_API_URL_ENV = 'CLAUDE_PROJECT_ADMIN_API_URL';
export const API_KEY_ID_ENV = 'CLAUDE_PROJECT_API_KEY_ID';
export const DEFAULT_ADMIN_API_URL = 'https://api.anthropic.com';

/**
 * The environment claude and checks run with: this one's, without the admin key. Only the Admin
 * API may see that key; claude would hand it to every tool it runs (and a tool's output to the
 * Messages API).
 */
export function withoutAdminKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [ADMIN_KEY_ENV]: _adminKey, ...rest } = env;
  return rest;
}

export interface BillingSettings {
  adminKey: string;
  baseUrl: string;
  /** Undefined: to be found from ANTHROPIC_API_KEY and the organisation's key hints. */
  apiKeyId: string | undefined;
  settleMinutes: number;
  pollSeconds: number;
  requestTimeoutSeconds: number;
}

/**
 * The settings `reconcile` runs with: config `billing:` overridden by the environment.
 * Undefined when there is no admin key (nothing can be reconciled). Bad values are a UserError
 * naming the setting.
 */
export function resolveBillingSettings(config: ProjectConfig, env: NodeJS.ProcessEnv): BillingSettings | undefined {
  const adminKey = env[ADMIN_KEY_ENV]?.trim();
  const baseUrl = env[ADMIN_API_URL_ENV]?.trim() || config.billing.adminApiUrl || DEFAULT_ADMIN_API_URL;
  if (!/^https?:\/\/\S+$/.test(baseUrl)) {
    throw new UserError(
      `${env[ADMIN_API_URL_ENV]?.trim() ? ADMIN_API_URL_ENV : `${config.file}: billing.adminApiUrl`}: ${JSON.stringify(baseUrl)} is not an http(s) URL.`,
    );
  }
  const envKeyId = env[API_KEY_ID_ENV]?.trim();
  if (envKeyId && !API_KEY_ID_PATTERN.test(envKeyId)) {
    throw new UserError(`${API_KEY_ID_ENV}: ${JSON.stringify(envKeyId)} is not an API key id (apikey_ followed by letters and digits).`);
  }
  if (!adminKey) return undefined;
  requireHeaderSafeKey(ADMIN_KEY_ENV, adminKey);
  return {
    adminKey,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    apiKeyId: envKeyId || config.billing.apiKeyId,
    settleMinutes: config.billing.settleMinutes,
    pollSeconds: config.billing.pollSeconds,
    requestTimeoutSeconds: config.billing.requestTimeoutSeconds,
  };
}
