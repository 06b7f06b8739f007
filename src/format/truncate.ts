import { formatCount } from './format-usage.js';

/**
 * At most `max` characters of `text`, a cut marked "…" — and, with `sayHowMuch`, followed by how
 * many characters were left out; with `markInside`, the "…" counts among the `max` (a line that
 * must fit a width). Only the kept part is copied. The one truncator of every output.
 */
export function truncate(text: string, max: number, options: { sayHowMuch?: boolean; markInside?: boolean } = {}): string {
  if (text.length <= max) return text;
  const keep = options.markInside ? max - 1 : max;
  if (keep < 0) return '';
  const kept = `${text.slice(0, keep)}…`;
  return options.sayHowMuch ? `${kept} [${formatCount(text.length - max)} more characters]` : kept;
}
