import { parseStreamLine, toolResultPreview } from '../../src/claude/parse-line.js';
import { formatEvent } from '../../src/claude/readable-log.js';
import { parseLimitMessage, UsageLimitDetector } from '../../src/claude/usage-limit.js';

const toolResultLine = (content: unknown): Buffer =>
  Buffer.from(
    JSON.stringify({
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: 'toolu_1', type: 'tool_result', content }] },
      parent_tool_use_id: null,
      session_id: 's',
    }),
  );

describe('parseStreamLine', () => {
  it('parses events and reports malformed lines without throwing', () => {
    expect(parseStreamLine(Buffer.from('{"type":"result","is_error":false}'))).toEqual({
      ok: true,
      event: { type: 'result', is_error: false },
    });
    for (const bad of [
      'not json',
      '{"type":',
      '[1,2]',
      '{"no":"type"}',
      '{"type":"assistant"}',
      '\u0000\u00ff',
      '{"type":"user","message":{"content":"cut',
    ]) {
      const parsed = parseStreamLine(Buffer.from(bad));
      expect(parsed.ok).toBe(false);
    }
  });

  it('never parses a tool-result line: keeps its size and the start of its text', () => {
    const content = `first line\n${'x'.repeat(2_000_000)}`;
    const line = toolResultLine(content);
    const parsed = parseStreamLine(line);
    expect(parsed).toMatchObject({ ok: true, event: { type: 'user', bytes: line.length } });
    const event = (parsed as { event: { preview: string } }).event;
    expect(event.preview.startsWith('first line\nxxx')).toBe(true);
    expect(event.preview.length).toBeLessThanOrEqual(1000);
    expect(formatEvent(event as never)).toContain(`[line of ${line.length.toLocaleString('en-US')} bytes]`);
  });

  it('previews escaped and array-shaped tool results without cutting an escape in half', () => {
    expect(toolResultPreview(toolResultLine('tab\there "quoted" é → ok'))).toBe('tab\there "quoted" é → ok');
    expect(toolResultPreview(toolResultLine([{ type: 'text', text: 'from an array' }]))).toBe('from an array');
    const long = toolResultPreview(toolResultLine('\u00e9'.repeat(5000)));
    expect(long).toBe('\u00e9'.repeat(1000));
  });
});

describe('rate limits', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');

  it('reads the rejected rate_limit_event and its resetsAt', () => {
    const detector = new UsageLimitDetector(() => now);
    detector.observe({ type: 'rate_limit_event', rate_limit_info: { status: 'allowed_warning', resetsAt: 1 } } as never);
    expect(detector.limit).toBeUndefined();
    detector.observe({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: 1_800_000_000 } } as never);
    expect(detector.limit).toEqual({ resetsAtMs: 1_800_000_000_000 });
  });

  it('reads both wordings of the usage-limit error result', () => {
    expect(parseLimitMessage('Claude AI usage limit reached|1767225600', now)).toEqual({ resetsAtMs: 1_767_225_600_000 });
    const modern = parseLimitMessage("You've hit your limit · resets 4pm (Europe/Rome)", now);
    // 16:00 in Rome on 22 Nov (CET, UTC+1) is 15:00 UTC
    expect(new Date(modern!.resetsAtMs!).toISOString()).toBe('2026-11-22T15:00:00.000Z');
    expect(parseLimitMessage('some other error', now)).toBeUndefined();
  });

  it('a reset no state could record (past year 9999: milliseconds sent as seconds, say) is taken as not said', () => {
    expect(parseLimitMessage('Claude AI usage limit reached|99999999999999', now)).toEqual({ resetsAtMs: undefined });
    const detector = new UsageLimitDetector(() => now);
    detector.observe({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt: now } } as never);
    expect(detector.limit).toEqual({ resetsAtMs: undefined });
  });
});
