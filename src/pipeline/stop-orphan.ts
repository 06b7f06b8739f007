import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { signalGroup } from '../claude/process-group.js';

const GRACE_MS = 5000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` leads a process group of its own (claude is started so), from /proc/<pid>/stat. */
async function leadsItsGroup(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // after "(command name)": state, parent pid, process group
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[2]) === pid;
}

/**
 * Stops a claude left running by a claude-project that was killed (kill -9): it is identified
 * by its pid and by the session id we gave it, so an unrelated process that reused the pid is
 * never touched. SIGTERM, then SIGKILL after a grace period, to its whole process group when it
 * leads one (what it started goes too). Returns whether one was stopped.
 */
export async function stopOrphanClaude(pid: number | undefined, sessionId: string | undefined): Promise<boolean> {
  if (pid === undefined || sessionId === undefined || !alive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.split('\0').includes(sessionId)) return false;
  const group = await leadsItsGroup(pid);
  const signal = (name: NodeJS.Signals): void => {
    if (group) signalGroup(pid, name);
    else process.kill(pid, name);
  };
  signal('SIGTERM');
  for (let waited = 0; waited < GRACE_MS && alive(pid); waited += 100) await sleep(100);
  // the group too: what claude started may outlive it
  if (alive(pid) || group) signal('SIGKILL');
  return true;
}
