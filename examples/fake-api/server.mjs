#!/usr/bin/env node
// An offline stand-in for the Anthropic Messages API, for the demo and the end-to-end tests.
// It answers Claude Code's requests from a script and remembers, per model, exactly what usage
// it served, so a test can compare claude-project's numbers with the truth to the token.
// `ledger` keeps every completed response with its time and the x-api-key it was billed to:
// what admin-server.mjs reports as the bill.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/**
 * A turn the API serves:
 *   { blocks: [{type: 'text', text} | {type: 'tool_use', name, input}],
 *     usage: {input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens},
 *     hang?: 'before-headers' | 'after-start' }   // never finish this response
 * The script is `(request, context) => Turn`; `request` is the parsed body, `context` gives
 * `{index, isSideRequest, lastUserText, toolResults}`.
 */

const id = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;

function lastUserMessage(body) {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i];
  return undefined;
}

function textOf(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' ? part.text : part.type === 'tool_result' ? textOf(part.content) : '')).join('\n');
}

/** A request Claude Code makes besides the conversation (titles, quota checks): no tools, tiny max_tokens or a system prompt that is not the agent's. */
function isSideRequest(body) {
  return !Array.isArray(body.tools) || body.tools.length === 0;
}

function sse(res, event, data) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function usageOf(turn) {
  const u = turn.usage ?? {};
  const usage = {
    input_tokens: u.input_tokens ?? 0,
    output_tokens: u.output_tokens ?? 0,
    cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
  };
  const oneHour = u.cache_creation?.ephemeral_1h_input_tokens;
  if (oneHour === undefined) return usage;
  return {
    ...usage,
    cache_creation: { ephemeral_5m_input_tokens: usage.cache_creation_input_tokens - oneHour, ephemeral_1h_input_tokens: oneHour },
  };
}

function contentOf(turn) {
  return (turn.blocks ?? []).map((block) =>
    block.type === 'tool_use'
      ? { type: 'tool_use', id: id('toolu'), name: block.name, input: block.input ?? {} }
      : { type: 'text', text: block.text ?? '' },
  );
}

export async function startFakeApi({ script, port = 0, host = '127.0.0.1', onStall } = {}) {
  const served = {};
  const requests = [];
  const ledger = [];
  const hanging = new Set();
  const record = (model, usage, apiKey, turn) => {
    const oneHour = turn.usage?.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    ledger.push({
      at: Date.now(),
      apiKey,
      model,
      usage: {
        ...usage,
        cache_creation: { ephemeral_5m_input_tokens: usage.cache_creation_input_tokens - oneHour, ephemeral_1h_input_tokens: oneHour },
      },
    });
    served[model] ??= {
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreation1hInputTokens: 0,
      responses: 0,
    };
    const row = served[model];
    row.inputTokens += usage.input_tokens;
    row.outputTokens += usage.output_tokens;
    row.cacheCreationInputTokens += usage.cache_creation_input_tokens;
    row.cacheReadInputTokens += usage.cache_read_input_tokens;
    row.cacheCreation1hInputTokens += oneHour;
    row.responses += 1;
  };

  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
      requests.push({ method: req.method, path: url.pathname });
      if (url.pathname === '/v1/messages/count_tokens') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: 1 }));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      }
      return;
    }
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end('{"type":"error","error":{"type":"invalid_request_error","message":"bad json"}}');
      return;
    }
    const context = {
      index: requests.filter((r) => r.path === '/v1/messages').length,
      isSideRequest: isSideRequest(body),
      lastUserText: textOf(lastUserMessage(body)?.content),
      messages: body.messages ?? [],
    };
    const turn = (script ?? defaultScript)(body, context);
    const usage = usageOf(turn);
    const model = body.model;
    const entry = {
      method: 'POST',
      path: '/v1/messages',
      model,
      stream: body.stream === true,
      side: context.isSideRequest,
      usage,
      completed: false,
    };
    requests.push(entry);
    if (turn.hang === 'before-headers') {
      hanging.add(res);
      return;
    }
    const message = {
      id: id('msg'),
      type: 'message',
      role: 'assistant',
      model,
      content: contentOf(turn),
      stop_reason: null,
      stop_sequence: null,
    };
    const stopReason = message.content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
    if (!body.stream) {
      record(model, usage, String(req.headers['x-api-key'] ?? ''), turn);
      entry.completed = true;
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': id('req') });
      res.end(JSON.stringify({ ...message, stop_reason: stopReason, usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': id('req') });
    sse(res, 'message_start', { type: 'message_start', message: { ...message, content: [], usage: { ...usage, output_tokens: 1 } } });
    if (turn.hang === 'after-start') {
      hanging.add(res);
      return;
    }
    if (turn.stall) {
      // billed as far as it went: the input side, and the one output token message_start reports
      record(model, { ...usage, output_tokens: 1 }, String(req.headers['x-api-key'] ?? ''), turn);
      entry.stalled = true;
      const first = message.content[0];
      if (first?.type === 'text') {
        sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
        sse(res, 'content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: first.text.slice(0, 1) },
        });
      }
      hanging.add(res);
      onStall?.({ messageId: message.id, model });
      return;
    }
    message.content.forEach((block, index) => {
      if (block.type === 'text') {
        sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
      } else {
        sse(res, 'content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        });
        sse(res, 'content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
        });
      }
      sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    });
    sse(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    sse(res, 'message_stop', { type: 'message_stop' });
    record(model, usage, String(req.headers['x-api-key'] ?? ''), turn);
    entry.completed = true;
    res.end();
  });

  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    served,
    requests,
    ledger,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * The demo's script: a prompt that contains a line starting with "$ " gets that command run
 * through the Bash tool first (a message with a text block and a tool_use block), then a short
 * answer; anything else gets a short answer. Usage grows with the conversation, deterministically.
 */
export function defaultScript(body, context) {
  const size = JSON.stringify(body.messages ?? []).length;
  const base = { input_tokens: 20 + (size % 97), output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (context.isSideRequest)
    return { blocks: [{ type: 'text', text: 'Untitled' }], usage: { ...base, input_tokens: 11, output_tokens: 3 } };
  const messages = body.messages ?? [];
  const first = textOf(messages[0]?.content);
  const command = /^\$ (.+)$/m.exec(first)?.[1];
  const toolTurns = messages.filter((m) => m.role === 'assistant').length;
  if (command && toolTurns === 0) {
    return {
      blocks: [
        { type: 'text', text: `Running \`${command}\`.` },
        { type: 'tool_use', name: 'Bash', input: { command, description: 'Run the task command' } },
      ],
      usage: { ...base, output_tokens: 42, cache_creation_input_tokens: 1200 },
    };
  }
  return {
    blocks: [{ type: 'text', text: command ? 'Done: the command ran.' : 'Done.' }],
    usage: { ...base, output_tokens: 17 + toolTurns * 5, cache_read_input_tokens: toolTurns > 0 ? 1200 : 0 },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const portArg = process.argv.indexOf('--port');
  const api = await startFakeApi({ port: portArg > 0 ? Number(process.argv[portArg + 1]) : 0 });
  process.stdout.write(`${api.url}\n`);
  process.on('SIGINT', () => {
    process.stderr.write(`${JSON.stringify(api.served, null, 2)}\n`);
    void api.close().then(() => process.exit(0));
  });
}
