import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { countsFromApi, SYNTHETIC_MODEL, type ApiUsage } from '../usage/from-raw.js';
import type { MessageCounts } from '../usage/price-usage.js';
import { forEachLine } from './read-lines.js';

interface TranscriptEntry {
  type?: string;
  requestId?: string;
  message?: { id?: string; model?: string; usage?: ApiUsage };
}

/** Claude Code's config folder for the env the call ran with. */
export function claudeConfigDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude');
}

/** `<config>/projects/<cwd with every non-alphanumeric character as "-">/`. */
export function transcriptDir(env: NodeJS.ProcessEnv, cwd: string): string {
  return path.join(claudeConfigDir(env), 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
}

/** The session's transcript and its subagents' transcripts, those that exist. */
export async function transcriptFiles(env: NodeJS.ProcessEnv, cwd: string, sessionId: string): Promise<string[]> {
  const dir = transcriptDir(env, cwd);
  const files = [path.join(dir, `${sessionId}.jsonl`)];
  const subagents = path.join(dir, sessionId, 'subagents');
  const names = await readdir(subagents).catch(() => [] as string[]);
  files.push(
    ...names
      .filter((name) => name.endsWith('.jsonl'))
      .sort()
      .map((name) => path.join(subagents, name)),
  );
  return files;
}

/**
 * The messages a session's transcript records: each finished message once (keyed by message id
 * and request id; a later entry of the same message replaces an earlier one), with its model and
 * final counts, output tokens and cache-write split included. Undefined when the main transcript
 * cannot be read.
 */
export async function readTranscriptUsage(env: NodeJS.ProcessEnv, cwd: string, sessionId: string): Promise<MessageCounts[] | undefined> {
  const [main, ...subagents] = await transcriptFiles(env, cwd, sessionId);
  const messages = new Map<string, { model: string; usage: ApiUsage | undefined }>();
  const collect = (line: Buffer): void => {
    let entry: TranscriptEntry;
    try {
      entry = JSON.parse(line.toString('utf8')) as TranscriptEntry;
    } catch {
      return;
    }
    const message = entry.message;
    if (entry.type !== 'assistant' || !message?.id || !message.model || message.model === SYNTHETIC_MODEL) return;
    messages.set(`${message.id}/${entry.requestId ?? ''}`, { model: message.model, usage: message.usage });
  };
  try {
    await forEachLine(main as string, collect);
  } catch {
    return undefined;
  }
  for (const file of subagents) await forEachLine(file, collect).catch(() => undefined);
  return [...messages.values()].map(({ model, usage }) => ({ model, counts: countsFromApi(usage) }));
}
