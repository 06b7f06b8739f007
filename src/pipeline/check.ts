import { execa } from 'execa';

export interface CheckOutcome {
  passed: boolean;
  exitCode: number | undefined;
  output: string;
}

const OUTPUT_LIMIT = 20_000;

/** Runs a step's check command in a shell in the project folder; exit 0 passes. */
export async function runCheck(command: string, cwd: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<CheckOutcome> {
  const result = await execa(command, {
    shell: true,
    cwd,
    env,
    reject: false,
    all: true,
    stdin: 'ignore',
    cancelSignal: signal,
    maxBuffer: 10_000_000,
  });
  const output = result.all ?? '';
  return {
    passed: result.exitCode === 0,
    exitCode: result.exitCode,
    output: output.length > OUTPUT_LIMIT ? `…${output.slice(-OUTPUT_LIMIT)}` : output,
  };
}
