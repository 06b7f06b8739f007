import { UserError } from '../../errors/user-error.js';

/** What an HTTP header value may hold, and what every real key is made of: visible ASCII, no spaces. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * Throws a settings error (exit 2) naming `variable` when its key cannot be a header value: a
 * line break, a space, or a character such as `…` (the docs' `sk-ant-admin…` placeholder). The
 * value itself is never shown.
 */
export function requireHeaderSafeKey(variable: string, key: string): void {
  if (HEADER_SAFE.test(key)) return;
  throw new UserError(
    `${variable} is not a usable key: it holds a line break, a space or a character other than plain ASCII (such as "…" in a placeholder), which no HTTP header can carry; set it to the whole key as the Console shows it.`,
  );
}
