import { forEachStreamLine } from '../claude/stream-lines.js';
import type { AttemptOutcome } from '../state/task-state.js';
import { CallObserver } from './call-observer.js';
import type { PriceTable } from '../usage/pricing.js';
import type { ModelTokenUsage, UsageSource } from '../usage/types.js';
import { JOURNAL_MARKER_TYPE, JournalMarkerSchema } from './journal-marker.js';

/** One attempt as the raw `.jsonl` log tells it. */
export interface JournalAttempt {
  attempt: number;
  model: string | undefined;
  malformedLines: number;
  /** What the attempt's stream lines say: usage, session id. */
  observed: CallObserver;
  /** Undefined: claude-project stopped before it recorded how the attempt ended. */
  end:
    | { outcome: AttemptOutcome; usageSource: UsageSource; transcriptUsage?: ModelTokenUsage; cacheWrites1h?: Record<string, number> }
    | undefined;
}

/** Replays a step's raw log: the attempts in it, each with the usage its stream lines give. */
export async function readJournal(file: string, prices: PriceTable): Promise<JournalAttempt[]> {
  const attempts: JournalAttempt[] = [];
  let current: JournalAttempt | undefined;
  await forEachStreamLine(file, (parsed) => {
    if (!parsed.ok) {
      if (current) current.malformedLines++;
      return;
    }
    const event = parsed.event;
    if (event.type === JOURNAL_MARKER_TYPE) {
      const parsedMarker = JournalMarkerSchema.safeParse(event);
      if (!parsedMarker.success) {
        if (current) current.malformedLines++;
        return;
      }
      const marker = parsedMarker.data;
      if (marker.event === 'attempt_start') {
        current = {
          attempt: marker.attempt,
          model: marker.model,
          malformedLines: 0,
          observed: new CallObserver(prices, marker.sessionId),
          end: undefined,
        };
        attempts.push(current);
      } else if (marker.event === 'attempt_end') {
        // Recovery journals an attempt that a killed run left open after the fact, so its end
        // marker may follow other lines: it closes the last open attempt of its number.
        const ended = current?.attempt === marker.attempt ? current : attempts.findLast((a) => a.attempt === marker.attempt && !a.end);
        if (ended) {
          ended.end = {
            outcome: marker.outcome,
            usageSource: marker.usageSource,
            ...(marker.transcriptUsage && { transcriptUsage: marker.transcriptUsage }),
            ...(marker.cacheWrites1h && { cacheWrites1h: marker.cacheWrites1h }),
          };
        }
        if (ended === current) current = undefined;
      }
      return;
    }
    current?.observed.observe(event);
  });
  return attempts;
}
