import { forEachStreamLine } from '../claude/stream-lines.js';
import type { AttemptOutcome } from '../state/task-state.js';
import { CallObserver } from './call-observer.js';
import type { PriceTable } from '../usage/pricing.js';
import type { ModelTokenUsage, UsageSource } from '../usage/types.js';
import { RAW_LOG_MARKER_TYPE, RawLogMarkerSchema } from './raw-log-marker.js';

/** One attempt as the raw `.jsonl` log tells it. */
export interface RawLogAttempt {
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
export async function readRawLog(file: string, prices: PriceTable): Promise<RawLogAttempt[]> {
  const attempts: RawLogAttempt[] = [];
  let current: RawLogAttempt | undefined;
  await forEachStreamLine(file, (parsed) => {
    if (!parsed.ok) {
      if (current) current.malformedLines++;
      return;
    }
    const event = parsed.event;
    if (event.type === RAW_LOG_MARKER_TYPE) {
      const parsedMarker = RawLogMarkerSchema.safeParse(event);
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
        // Recovery marks an attempt that a killed run left open after the fact, so its end
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
