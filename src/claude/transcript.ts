import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { countsFromApi, SYNTHETIC_MODEL, type ApiUsage } from '../usage/from-raw.js';
import { oneHourWritesByModel, type MessageCounts } from '../usage/price-usage.js';
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
 * and request id; a later entry of the same message replaces an earlier one), with its id, model
 * and final counts, output tokens and cache-write split included. Undefined when the main
 * transcript cannot be read.
 */
export async function readTranscriptUsage(env: NodeJS.ProcessEnv, cwd: string, sessionId: string): Promise<MessageCounts[] | undefined> {
  const [main, ...subagents] = await transcriptFiles(env, cwd, sessionId);
  const messages = new Map<string, MessageCounts>();
  const collect = messageCollector(messages);
  try {
    await forEachLine(main as string, collect);
  } catch {
    return undefined;
  }
  for (const file of subagents) await forEachLine(file, collect).catch(() => undefined);
  return [...messages.values()];
}

/**
 * The 1-hour cache writes per model of a session's subagents, from their transcripts alone (the
 * main loop's messages are all in the stream; the subagents' are not). Undefined when the
 * session has no subagent transcript.
 */
export async function readSubagentCacheWrites1h(
  env: NodeJS.ProcessEnv,
  cwd: string,
  sessionId: string,
): Promise<Record<string, number> | undefined> {
  const [, ...subagents] = await transcriptFiles(env, cwd, sessionId);
  if (subagents.length === 0) return undefined;
  const messages = new Map<string, MessageCounts>();
  const collect = messageCollector(messages);
  for (const file of subagents) await forEachLine(file, collect).catch(() => undefined);
  return oneHourWritesByModel([...messages.values()]);
}

/**
 * Marks an assistant entry. Claude Code writes each entry as compact JSON, and inside a JSON
 * string these quotes would be escaped: a line without it is no assistant entry (tool results,
 * the bulk of a transcript, are never decoded nor parsed).
 */
const ASSISTANT_ENTRY = Buffer.from('"type":"assistant"');

/** Keeps each assistant message of transcript lines once, the last entry of it winning. */
function messageCollector(messages: Map<string, MessageCounts>): (line: Buffer) => void {
  return (line) => {
    if (line.indexOf(ASSISTANT_ENTRY) === -1) return;
    let entry: TranscriptEntry;
    try {
      entry = JSON.parse(line.toString('utf8')) as TranscriptEntry;
    } catch {
      return;
    }
    const message = entry.message;
    if (entry.type !== 'assistant' || !message?.id || !message.model || message.model === SYNTHETIC_MODEL) return;
    messages.set(`${message.id}/${entry.requestId ?? ''}`, { id: message.id, model: message.model, counts: countsFromApi(message.usage) });
  };
}

/**
 * Each subagent transcript of a session (`subagents/agent-<id>.jsonl`) with its messages, each
 * once with its final counts; in file-name order. Empty when there is none.
 */
export async function readSubagentTranscripts(
  env: NodeJS.ProcessEnv,
  cwd: string,
  sessionId: string,
): Promise<Array<{ agentId: string; messages: MessageCounts[] }>> {
  const [, ...subagents] = await transcriptFiles(env, cwd, sessionId);
  const agents: Array<{ agentId: string; messages: MessageCounts[] }> = [];
  for (const file of subagents) {
    const messages = new Map<string, MessageCounts>();
    const read = await forEachLine(file, messageCollector(messages)).then(
      () => true,
      () => false,
    );
    if (read) agents.push({ agentId: path.basename(file, '.jsonl').replace(/^agent-/, ''), messages: [...messages.values()] });
  }
  return agents;
}
