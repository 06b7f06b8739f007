import { isRateLimit, isResult, type StreamEvent } from './stream-events.js';

/**
 * Notices a usage limit in a call's stream: a `rate_limit_event` with status
 * "rejected", or an error result's text in either of the CLI's two wordings.
 */
export class UsageLimitDetector {
  private rejected = false;
  private resetsAtMs: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  observe(event: StreamEvent): void {
    if (isRateLimit(event) && event.rate_limit_info?.status === 'rejected') {
      this.rejected = true;
      const resetsAt = event.rate_limit_info.resetsAt;
      if (typeof resetsAt === 'number') this.resetsAtMs = recordableResetMs(resetsAt * 1000);
    } else if (isResult(event) && event.is_error) {
      const text = [event.result ?? '', ...(event.errors ?? [])].join('\n');
      const parsed = parseLimitMessage(text, this.now());
      if (parsed) {
        this.rejected = true;
        this.resetsAtMs ??= parsed.resetsAtMs;
      }
    }
  }

  /** Whether the call was refused for a usage limit, and when it resets (undefined: not said). */
  get limit(): { resetsAtMs: number | undefined } | undefined {
    return this.rejected ? { resetsAtMs: this.resetsAtMs } : undefined;
  }
}

/** The last instant a state file's timestamps can hold (a four-digit year). */
const LATEST_RECORDABLE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * A reset time a state can record and a wait can be decided on; one past year 9999 (a time in
 * milliseconds sent as seconds, say) is taken as not said, as is one before 1970.
 */
function recordableResetMs(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_RECORDABLE_MS ? ms : undefined;
}

const OLD_FORMAT = /usage limit reached\|(\d{9,})/i;
const NEW_FORMAT = /hit your limit[^\n]*?resets\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:\(([^)]+)\))?/i;

/** `Claude AI usage limit reached|1767225600` or `You've hit your limit · resets 4pm (Europe/Rome)`. */
export function parseLimitMessage(text: string, nowMs: number): { resetsAtMs: number | undefined } | undefined {
  const old = OLD_FORMAT.exec(text);
  if (old) return { resetsAtMs: recordableResetMs(Number(old[1]) * 1000) };
  const modern = NEW_FORMAT.exec(text);
  if (modern) {
    let hour = Number(modern[1]) % 12;
    if (modern[3]?.toLowerCase() === 'pm') hour += 12;
    if (!modern[3]) hour = Number(modern[1]);
    const minute = modern[2] ? Number(modern[2]) : 0;
    return { resetsAtMs: nextWallClock(hour, minute, modern[4], nowMs) };
  }
  if (/usage limit|hit your limit/i.test(text)) return { resetsAtMs: undefined };
  return undefined;
}

/** The next instant after `nowMs` at which the wall clock in `timeZone` reads hour:minute. */
export function nextWallClock(hour: number, minute: number, timeZone: string | undefined, nowMs: number): number | undefined {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    return undefined;
  }
  const start = Math.ceil(nowMs / 60_000) * 60_000;
  for (let step = 0; step <= 48 * 60; step++) {
    const candidate = start + step * 60_000;
    const [h, m] = format.format(candidate).split(':').map(Number);
    if (h === hour && m === minute) return candidate;
  }
  return undefined;
}
