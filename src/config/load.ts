import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { UserError } from '../errors.js';
import { CONFIG_SCHEMA } from './schema.js';
import { PLACEHOLDERS, unknownPlaceholders } from './template.js';
import { CLAUDE_BIN_ENV, CONFIG_FILE_NAME, DEFAULTS, type ProjectConfig, type StepConfig } from './types.js';
import { formatKeyPath, validate, type KeyPath, type SchemaIssue } from './validate.js';

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
    throw new UserError(`${file}: cannot read config: ${(error as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]);
    throw new UserError(`${file}:${line.line}:${line.col}: YAML syntax error: ${syntax.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS();
  const issues = validate(raw ?? {}, CONFIG_SCHEMA);
  issues.push(...semanticIssues(raw));
  if (issues.length > 0) {
    const lines = issues.map((issue) => `  ${locate(file, doc, lineCounter, issue)}`);
    throw new UserError(`${file}: invalid configuration:\n${lines.join('\n')}`);
  }
  return normalise(file, raw as RawConfig, env);
}

interface RawConfig {
  model?: string;
  claude?: { command?: string; args?: string[] };
  statePath?: string;
  logsPath?: string;
  timeoutSeconds?: number;
  rateLimit?: { wait?: boolean; maxWaitMinutes?: number; marginSeconds?: number };
  budget?: { sequenceUsd?: number; taskUsd?: number; stepUsd?: number };
  pipeline: Array<Omit<StepConfig, 'check'> & { check?: { command: string; retries?: number } }>;
}

/** Rules the schema cannot say: unique step names, known placeholders. */
function semanticIssues(raw: unknown): SchemaIssue[] {
  const pipeline = (raw as { pipeline?: unknown } | null)?.pipeline;
  if (!Array.isArray(pipeline)) return [];
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  const placeholderIssues = (text: unknown, path: KeyPath): SchemaIssue[] =>
    typeof text !== 'string'
      ? []
      : unknownPlaceholders(text).map((name) => ({
          path,
          message: `unknown placeholder {{${name}}}; valid: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
        }));
  pipeline.forEach((step: { name?: unknown; prompt?: unknown; check?: { command?: unknown } }, index) => {
    if (typeof step?.name === 'string') {
      if (seen.has(step.name)) issues.push({ path: ['pipeline', index, 'name'], message: `duplicate step name ${JSON.stringify(step.name)}` });
      seen.add(step.name);
    }
    issues.push(...placeholderIssues(step?.prompt, ['pipeline', index, 'prompt']));
    issues.push(...placeholderIssues(step?.check?.command, ['pipeline', index, 'check', 'command']));
  });
  return issues;
}

function locate(file: string, doc: Document, lineCounter: LineCounter, issue: SchemaIssue): string {
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

function normalise(file: string, raw: RawConfig, env: NodeJS.ProcessEnv): ProjectConfig {
  const rootDir = path.dirname(file);
  const envCommand = env[CLAUDE_BIN_ENV]?.trim();
  return {
    file,
    rootDir,
    model: raw.model ?? DEFAULTS.model,
    claude: {
      command: envCommand || raw.claude?.command || DEFAULTS.claudeCommand,
      args: raw.claude?.args ?? [],
    },
    statePath: path.resolve(rootDir, raw.statePath ?? DEFAULTS.statePath),
    logsPath: path.resolve(rootDir, raw.logsPath ?? DEFAULTS.logsPath),
    ...(raw.timeoutSeconds !== undefined && { timeoutSeconds: raw.timeoutSeconds }),
    rateLimit: { ...DEFAULTS.rateLimit, ...raw.rateLimit },
    budget: Object.fromEntries(
      Object.entries(raw.budget ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
    ),
    pipeline: raw.pipeline.map((step) => ({
      name: step.name,
      prompt: step.prompt,
      ...(step.model !== undefined && { model: step.model }),
      ...(step.timeoutSeconds !== undefined && { timeoutSeconds: step.timeoutSeconds }),
      ...(step.budgetUsd !== undefined && { budgetUsd: step.budgetUsd }),
      ...(step.check && { check: { command: step.check.command, retries: step.check.retries ?? DEFAULTS.checkRetries } }),
    })),
  };
}
