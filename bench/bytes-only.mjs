// Baseline (a), the bound: the same bytes through a pipe and a bare newline scan, nothing else.
import { spawn } from 'node:child_process';
const child = spawn('cat', [process.argv[2]], { stdio: ['ignore', 'pipe', 'inherit'] });
let lines = 0;
for await (const chunk of child.stdout) {
  let at = chunk.indexOf(10);
  while (at !== -1) {
    lines++;
    at = chunk.indexOf(10, at + 1);
  }
}
process.stdout.write(`${lines}\n`);
