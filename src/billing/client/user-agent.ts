import { readFileSync } from 'node:fs';

/** `claude-project/0.1.0`: who is calling, sent with every Admin API request. */
export function userAgent(): string {
  // src/billing/client/ and dist/billing/client/ both sit three folders below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `claude-project/${pkg.version}`;
}
