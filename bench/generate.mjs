// Synthetic stream-json like Claude Code's, with a fixed seed: assistant messages printed once
// per content block (same id, same start-of-message usage), tool-result lines from 200 B to 1 MB
// (log-uniform), now and then a Write tool call carrying a whole file, and a closing result.
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';

function mulberry32(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the of and to in is that for it as with was on be by this are from or at file line function return const value test'.split(
  ' ',
);

function text(random, chars) {
  let out = '';
  while (out.length < chars) out += `${WORDS[Math.floor(random() * WORDS.length)]}${random() < 0.1 ? '\n' : ' '}`;
  return out.slice(0, chars);
}

/** Writes about `bytes` of stream to `file` (skipped when a file of that size class exists). Returns the per-model usage it billed. */
export async function generateStream(file, bytes, seed = 42) {
  if (existsSync(file) && statSync(file).size >= bytes) return;
  const random = mulberry32(seed);
  const out = createWriteStream(file);
  let written = 0;
  const write = async (object) => {
    const line = `${JSON.stringify(object)}\n`;
    written += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  };
  const session = '5f0c7a52-0000-4000-8000-000000000000';
  await write({
    type: 'system',
    subtype: 'init',
    cwd: '/bench',
    session_id: session,
    model: 'claude-sonnet-4-5',
    tools: ['Bash', 'Read', 'Write'],
  });
  let turn = 0;
  let output = 0;
  let input = 0;
  while (written < bytes) {
    turn++;
    const id = `msg_bench_${turn}`;
    const usage = {
      input_tokens: 100 + Math.floor(random() * 900),
      output_tokens: 1,
      cache_creation_input_tokens: Math.floor(random() * 2000),
      cache_read_input_tokens: Math.floor(random() * 50000),
    };
    input += usage.input_tokens;
    output += 50 + (turn % 200);
    const blocks = [{ type: 'text', text: text(random, 100 + Math.floor(random() * 1500)) }];
    const writesFile = random() < 0.05;
    blocks.push(
      writesFile
        ? {
            type: 'tool_use',
            id: `toolu_${turn}`,
            name: 'Write',
            input: { file_path: `/bench/f${turn}.ts`, content: text(random, 5000 + Math.floor(random() * 45000)) },
          }
        : { type: 'tool_use', id: `toolu_${turn}`, name: 'Bash', input: { command: `cat src/file${turn}.ts`, description: 'Read a file' } },
    );
    for (const block of blocks) {
      await write({
        type: 'assistant',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [block],
          stop_reason: null,
          stop_sequence: null,
          usage,
        },
        parent_tool_use_id: null,
        session_id: session,
        uuid: `u${turn}-${block.type}`,
      });
    }
    // tool result: 200 B .. 1 MB, log-uniform
    const size = Math.floor(200 * 5000 ** random());
    const content = text(random, size);
    await write({
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: `toolu_${turn}`, type: 'tool_result', content }] },
      parent_tool_use_id: null,
      session_id: session,
      uuid: `r${turn}`,
      tool_use_result: { stdout: content.slice(0, 200), stderr: '', interrupted: false },
    });
  }
  await write({
    type: 'result',
    subtype: 'success',
    is_error: false,
    duration_ms: 1,
    num_turns: turn,
    result: 'done',
    session_id: session,
    total_cost_usd: 1,
    usage: { input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    modelUsage: {
      'claude-sonnet-4-5': { inputTokens: input, outputTokens: output, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUSD: 1 },
    },
  });
  out.end();
  await once(out, 'finish');
}
