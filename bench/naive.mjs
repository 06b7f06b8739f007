// Baseline (b), naive: split2 + JSON.parse of every line.
import { spawn } from 'node:child_process';
import split2 from 'split2';
const child = spawn('cat', [process.argv[2]], { stdio: ['ignore', 'pipe', 'inherit'] });
let parsed = 0;
for await (const line of child.stdout.pipe(split2())) {
  if (line) {
    JSON.parse(line);
    parsed++;
  }
}
process.stdout.write(`${parsed}\n`);
