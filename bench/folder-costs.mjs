// `node bench/folder-costs.mjs <stateDir>`: what a budget reads before each attempt — the costs of
// every task state of the folder — timed on a first call (every file read) and a later one (none
// replaced since: only looked at). Prints {states, firstMs, laterMs}. Needs `npm run build` first.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const { folderCosts } = await import(path.join(dist, 'pipeline', 'budget', 'folder-costs.js'));

async function timed() {
  const started = process.hrtime.bigint();
  const costs = await folderCosts(process.argv[2], '', true);
  return { states: costs.length, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

const first = await timed();
let later = Number.POSITIVE_INFINITY;
for (let i = 0; i < 3; i++) later = Math.min(later, (await timed()).ms);
process.stdout.write(`${JSON.stringify({ states: first.states, firstMs: first.ms, laterMs: later })}\n`);
