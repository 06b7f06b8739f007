import type { ChildProcess } from 'node:child_process';

/** Sends `signal` to the process group `pid` leads (a detached child leads its own); nothing if it is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** How long a child's pipes are still read after it exits, before they are closed. */
const PIPES_DRAIN_MS = 1000;

/**
 * Closes a child's pipes shortly after it exits. Its own process group is killed by then, but a
 * process it started in a session of its own (`setsid`, a daemon) keeps the pipes open: waiting
 * for their end would wait for that process, for ever.
 */
export function closePipesAfterExit(child: ChildProcess): void {
  child.once('exit', () => {
    setTimeout(() => {
      for (const pipe of [child.stdout, child.stderr]) if (pipe && !pipe.destroyed) pipe.destroy();
    }, PIPES_DRAIN_MS).unref();
  });
}

export interface GroupStops {
  /** Asks the group to stop: SIGTERM, then SIGKILL after `graceMs`. */
  stop?: AbortSignal | undefined;
  /** Stops it at once: SIGKILL (a second Ctrl-C). */
  stopNow?: AbortSignal | undefined;
  graceMs: number;
}

/**
 * Stops a detached child's whole process group, whatever it started included: on `stop`
 * SIGTERM then SIGKILL after the grace period, on `stopNow` SIGKILL at once. When the child
 * has exited, however it ended, what is left of its group is SIGKILLed. `stopped`: it was asked
 * to stop before it exited.
 */
export function stopGroupOn(child: ChildProcess, stops: GroupStops): { stopped: () => boolean } {
  const { pid } = child;
  let asked = false;
  if (pid === undefined) return { stopped: () => asked };
  let exited = false;
  let killTimer: NodeJS.Timeout | undefined;
  const kill = (): void => {
    if (!exited) asked = true;
    signalGroup(pid, 'SIGKILL');
  };
  const stop = (): void => {
    if (killTimer) return;
    asked = true;
    signalGroup(pid, 'SIGTERM');
    killTimer = setTimeout(kill, stops.graceMs);
  };
  const listen = (signal: AbortSignal | undefined, act: () => void): void => {
    if (signal?.aborted) act();
    else signal?.addEventListener('abort', act, { once: true });
  };
  listen(stops.stop, stop);
  listen(stops.stopNow, kill);
  // Once the child is gone, what it left running goes too: a call is over when claude is, and a
  // leftover holding claude's stderr open would keep the wait for its end going for ever.
  child.once('exit', () => {
    exited = true;
    clearTimeout(killTimer);
    stops.stop?.removeEventListener('abort', stop);
    stops.stopNow?.removeEventListener('abort', kill);
    kill();
  });
  return { stopped: () => asked };
}
