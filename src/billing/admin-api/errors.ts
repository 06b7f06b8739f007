import { EXIT, UserError } from '../../errors/user-error.js';
import { redactKeys } from './redact-keys.js';

/** 401/403: the admin key is wrong, revoked, or not an admin key. */
export class AdminKeyRefusedError extends UserError {
  constructor(status: number, path: string) {
    super(
      `the admin key was refused (HTTP ${status} from ${path}): check ANTHROPIC_ADMIN_KEY (an sk-ant-admin… key of an organisation admin).`,
      EXIT.badInput,
    );
    this.name = 'AdminKeyRefusedError';
  }
}

/** 5xx, no network or no answer in time, still after the retries: nothing was decided, try again later. */
export class AdminApiUnavailableError extends UserError {
  constructor(detail: string) {
    super(redactKeys(`the Admin API is unavailable (${detail}); nothing was changed, try again later.`), EXIT.tryLater);
    this.name = 'AdminApiUnavailableError';
  }
}

/** An answer that is not the shape the Admin API documents, naming the first field that is wrong. */
export class AdminApiShapeError extends UserError {
  constructor(path: string, field: string, problem: string) {
    super(redactKeys(`unexpected answer from the Admin API ${path}: ${field} ${problem}; nothing was changed.`), EXIT.failed);
    this.name = 'AdminApiShapeError';
  }
}

/** A list that does not end: a cursor seen before, or more pages than the asked-for range can fill. */
export class AdminApiPagingError extends UserError {
  constructor(path: string, problem: string) {
    super(redactKeys(`the Admin API ${path} would not stop paging: ${problem}; gave up, nothing was changed.`), EXIT.failed);
    this.name = 'AdminApiPagingError';
  }
}

/** A redirect away from the configured Admin API (the admin key is never sent after it), or one that loops. */
export class AdminApiRedirectError extends UserError {
  constructor(path: string, detail: string) {
    super(redactKeys(`the Admin API redirected ${path} ${detail}; nothing was changed.`), EXIT.failed);
    this.name = 'AdminApiRedirectError';
  }
}

/** Any other 4xx: a request the API would not take (a bad filter, an unknown key id). */
export class AdminApiRequestError extends UserError {
  constructor(status: number, path: string, message: string) {
    super(redactKeys(`the Admin API rejected ${path} (HTTP ${status}): ${message}`), EXIT.badInput);
    this.name = 'AdminApiRequestError';
  }
}
