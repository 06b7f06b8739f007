import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { UserError } from '../errors/user-error.js';
import { asUserError } from '../errors/fs-error.js';
import { declarationIssues, formatKeyPath, type DeclarationIssue, type KeyPath } from '../declare/issues.js';
import { ConfigSchema } from './schema.js';
import { resolveConfig } from './resolve.js';
import { CONFIG_FILE_NAME, type ProjectConfig } from './types.js';

/** The config file to use: `--config FILE`, else claude-project.yaml in the working directory. */
export function configPathFor(option: string | undefined, cwd: string): string {
  return path.resolve(cwd, option ?? CONFIG_FILE_NAME);
}

/** Reads, parses and validates the config; any problem is a UserError naming file and line. */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ProjectConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(`${file}: config file not found. Create ${CONFIG_FILE_NAME} in the project folder or pass --config FILE.`);
    }
    const explained = asUserError(error, { what: 'cannot read the config', path: file, hint: 'pass --config FILE' });
    const tooLong = error instanceof RangeError ? ': it is too large to be a config file' : '';
    throw explained instanceof UserError
      ? explained
      : new UserError(`${file}: cannot read the config${tooLong}${code ? ` (${code})` : ''}.`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]);
    throw new UserError(`${file}:${line.line}:${line.col}: YAML syntax error: ${syntax.message.split('\n')[0]}`);
  }
  const parsed = ConfigSchema.safeParse(withoutEmptyValues(documentValue(file, doc)));
  if (!parsed.success) {
    const lines = declarationIssues(parsed.error).map((issue) => `  ${locate(file, doc, lineCounter, issue)}`);
    throw new UserError(`${file}: invalid configuration:\n${lines.join('\n')}`);
  }
  // The real path: a project reached through a symlinked folder is the same project, its tasks the same tasks.
  const rootDir = await realpath(path.dirname(file));
  return resolveConfig(parsed.data, { file, rootDir, env });
}

/** The document as plain values; aliases that would expand without end (an "alias bomb") are a config error. */
function documentValue(file: string, doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new UserError(
        `${file}: too many aliases: its *aliases would expand to more than ${MAX_ALIAS_COUNT} copies of what they name. Write the values out instead.`,
      );
    }
    throw error;
  }
}

const MAX_ALIAS_COUNT = 100;

/** A key written with no value (`timeoutSeconds:`) counts as not written. */
function withoutEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyValues);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutEmptyValues(v)]),
  );
}

function locate(file: string, doc: Document, lineCounter: LineCounter, issue: DeclarationIssue): string {
  const line = lineOf(doc, lineCounter, issue.path);
  const where = line ? `${file}:${line}` : file;
  const key = issue.path.length > 0 ? formatKeyPath(issue.path) : '(top level)';
  return `${where}: ${key}: ${issue.message}`;
}

/** The line of the deepest node on the path that exists in the document. */
function lineOf(doc: Document, lineCounter: LineCounter, path: KeyPath): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return undefined;
}
