import { packageVersion } from '../../package-version.js';

/** `claude-project/0.1.0`: who is calling, sent with every Admin API request. */
export function userAgent(): string {
  return `claude-project/${packageVersion()}`;
}
