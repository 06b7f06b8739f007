import { appendFile } from 'node:fs/promises';
import { redactSecrets } from '../errors/redact.js';
import { describeFsError, isFsError } from '../errors/fs-error.js';
import { stepOutputsText, stepSummaryMarkdown, type CiRunReport } from '../report/github-actions.js';

/**
 * Under GitHub Actions (GITHUB_ACTIONS=true), appends the job summary to $GITHUB_STEP_SUMMARY
 * and the step outputs to $GITHUB_OUTPUT. By then the state is saved: a file that cannot be
 * written is a warning on stderr, and the command's exit code stays what the run made it.
 */
export async function reportToGithubActions(report: CiRunReport, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.GITHUB_ACTIONS !== 'true') return;
  await appendOrWarn(env.GITHUB_STEP_SUMMARY, 'GITHUB_STEP_SUMMARY', 'the job summary', () => stepSummaryMarkdown(report));
  await appendOrWarn(env.GITHUB_OUTPUT, 'GITHUB_OUTPUT', 'the step outputs', () => stepOutputsText(report));
}

async function appendOrWarn(file: string | undefined, variable: string, what: string, text: () => string): Promise<void> {
  if (!file) {
    warn(`GITHUB_ACTIONS is true but ${variable} is not set, so ${what} cannot be written.`);
    return;
  }
  try {
    await appendFile(file, redactSecrets(text()));
  } catch (error) {
    const reason = isFsError(error)
      ? describeFsError(error, { what: `cannot write ${what} (${variable})`, path: file })
      : `${file}: cannot write ${what} (${variable}): ${error instanceof Error ? error.message : String(error)}.`;
    warn(`${reason} The run's state is saved; only this report is missing.`);
  }
}

function warn(message: string): void {
  process.stderr.write(`claude-project: warning: ${message}\n`);
}
