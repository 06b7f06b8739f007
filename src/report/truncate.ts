import { formatCount } from './format-usage.js';

/**
 * At most `max` characters of `text`, a cut marked "…" — and, with `sayHowMuch`, followed by how
 * many characters were left out. Only the kept part is copied. The one truncator of every output.
 */
export function truncate(text: string, max: number, options: { sayHowMuch?: boolean } = {}): string {
  if (text.length <= max) return text;
  const kept = `${text.slice(0, max)}…`;
  return options.sayHowMuch ? `${kept} [${formatCount(text.length - max)} more characters]` : kept;
}
