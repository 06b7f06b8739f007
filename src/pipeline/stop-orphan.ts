import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const GRACE_MS = 5000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a claude left running by a claude-project that was killed (kill -9): it is identified
 * by its pid and by the session id we gave it, so an unrelated process that reused the pid is
 * never touched. SIGTERM, then SIGKILL after a grace period. Returns whether one was stopped.
 */
export async function stopOrphanClaude(pid: number | undefined, sessionId: string | undefined): Promise<boolean> {
  if (pid === undefined || sessionId === undefined || !alive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.split('\0').includes(sessionId)) return false;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < GRACE_MS && alive(pid); waited += 100) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}
