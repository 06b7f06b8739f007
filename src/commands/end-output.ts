import { jsonLine } from '../report/run-summary.js';

/**
 * How `run` and `sequence` end. Without `--json`: the human summary on stdout. With `--json`:
 * stdout holds the one JSON summary line and nothing else, so a script can parse it whole; the
 * human summary goes to stderr with the progress (neither with `--quiet`).
 */
export function writeRunEnd(options: { json?: boolean; quiet: boolean }, human: string, summary: unknown): void {
  if (!options.json) {
    process.stdout.write(human);
    return;
  }
  if (!options.quiet) process.stderr.write(human);
  process.stdout.write(jsonLine(summary));
}
