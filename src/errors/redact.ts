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

const KEY_CHAR = /[A-Za-z0-9_-]/;
const TOKEN_START = 'sk-ant-';
/** A token held back longer than this is cut where it stands, and the rest of it dropped as it comes. */
const MAX_HELD_TOKEN_CHARS = 1024;

/** Where the secret that `text` may end in the middle of starts (`text.length` when none may). */
function unfinishedSecretAt(text: string, values: string[]): number {
  let at = text.length;
  let run = text.length;
  while (run > 0 && KEY_CHAR.test(text[run - 1]!)) run--;
  const token = text.indexOf(TOKEN_START, run);
  if (token !== -1) at = token;
  else
    for (let chars = TOKEN_START.length - 1; chars > 0; chars--)
      if (text.endsWith(TOKEN_START.slice(0, chars))) {
        at = text.length - chars;
        break;
      }
  const last = text.at(-1);
  for (const value of values) {
    // a text that ends in a character the value lacks (a line end, most often) cannot end inside it
    if (last === undefined || !value.includes(last)) continue;
    for (let chars = Math.min(value.length - 1, text.length); chars > 0; chars--)
      if (text.endsWith(value.slice(0, chars))) {
        at = Math.min(at, text.length - chars);
        break;
      }
  }
  return at;
}

/**
 * `redactSecrets` for text that arrives in pieces (a check's output, claude's stream): the end of
 * a piece that may be the start of a secret is held back until the next piece (or `end`) tells.
 */
export class SecretRedactor {
  private held = '';
  private droppingToken = false;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /** What of the text so far can be written now, redacted. */
  push(piece: string): string {
    let text = this.held + piece;
    if (this.droppingToken) {
      let rest = 0;
      while (rest < text.length && KEY_CHAR.test(text[rest]!)) rest++;
      text = text.slice(rest);
      if (text === '') return '';
      this.droppingToken = false;
    }
    const values = secretValues(this.env);
    let at = unfinishedSecretAt(text, values);
    // a whole secret that the cut would split: the cut moves to its start (nothing held back, no cut)
    while (at < text.length) {
      const before = unfinishedSecretAt(text.slice(0, at), values);
      if (before >= at) break;
      at = before;
    }
    if (text.length - at > MAX_HELD_TOKEN_CHARS && text.startsWith(TOKEN_START, at)) {
      at = text.length;
      this.droppingToken = true;
    }
    this.held = text.slice(at);
    return redactSecrets(text.slice(0, at), this.env);
  }

  /** The text has ended: what was held back, redacted. */
  end(): string {
    const rest = redactSecrets(this.held, this.env);
    this.held = '';
    this.droppingToken = false;
    return rest;
  }
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
