/**
 * The one rule for secrets in whatever claude-project prints or writes: the value of
 * ANTHROPIC_ADMIN_KEY or ANTHROPIC_API_KEY (when set and at least 8 characters), and any
 * `sk-ant-` token, is cut to its first characters and "…" (10 of them; a third of a shorter
 * value, so that a short one is not shown whole).
 */
export const SECRET_VARIABLES = ['ANTHROPIC_ADMIN_KEY', 'ANTHROPIC_API_KEY'] as const;

const MIN_SECRET_CHARS = 8;
const SHOWN_CHARS = 10;
/** An API or Admin key: `sk-ant-` and at least 8 more key characters. */
const TOKEN = /sk-ant-[A-Za-z0-9_-]{8,}/g;
/**
 * A value with a quote, a backslash, a space or a control character is written escaped in JSON
 * and could only be matched across the text's structure: keys never have them.
 */
const PLAIN_VALUE = /^[\x21-\x7e]+$/;

function shown(secret: string): string {
  return `${secret.slice(0, Math.min(SHOWN_CHARS, Math.floor(secret.length / 3)))}…`;
}

/** The secret values of the environment variables, longest first (one may contain another). */
function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name]?.trim();
    if (value && value.length >= MIN_SECRET_CHARS && PLAIN_VALUE.test(value) && !/["\\]/.test(value)) values.push(value);
  }
  return values.sort((a, b) => b.length - a.length);
}

/** `text` with every secret cut short (the same text, not a copy, when it has none). */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const value of secretValues(env)) if (out.includes(value)) out = out.split(value).join(shown(value));
  return out.includes('sk-ant-') ? out.replace(TOKEN, (token) => `${token.slice(0, SHOWN_CHARS)}…`) : out;
}

/** Makes every later write to `stream` (stdout, stderr) go through `redactSecrets`. */
export function redactWritesTo(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string') return write(redactSecrets(chunk, env), ...rest);
    if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      const redacted = redactSecrets(text, env);
      return write(redacted === text ? chunk : Buffer.from(redacted, 'utf8'), ...rest);
    }
    return write(chunk, ...rest);
  }) as typeof stream.write;
}
