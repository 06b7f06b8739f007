import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A jest reporter that ends jest's worker processes itself, by SIGKILL, once every test file's
 * result is in, before jest tells them to end.
 *
 * jest then gives each worker half a second to act on its "end" message, and warns that it
 * "failed to exit gracefully" past that. A worker acts on the message only when its event loop
 * is free; on a loaded machine a worker at nice 10 that is collecting a heap of some 400 MB can
 * take longer. A signal from jest's own process needs nothing from the worker. Nothing is lost:
 * the worker has sent all its results, and it would end by SIGKILL anyway
 * (test/quick-exit-environment.mjs, which still covers a system without /proc).
 */
export default class EndWorkersReporter {
  #files = 0;
  #done = 0;

  onRunStart(results) {
    this.#files = results.numTotalTestSuites;
    this.#done = 0;
  }

  async onTestFileResult() {
    this.#done++;
    if (this.#done !== this.#files) return;
    const workers = workerPids();
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // it has ended already
      }
    }
    // Reaped (it leaves /proc) is when jest has seen it exit: jest then sends it nothing.
    while (workers.some((pid) => existsSync(`/proc/${pid}`))) await sleep(5);
  }
}

/** The processes jest-worker started for this jest, from /proc (none where there is no /proc). */
function workerPids() {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (command) state ppid …": the command may hold spaces and parentheses
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === process.pid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('jest-worker')) pids.push(Number(name));
    } catch {
      // it ended while we looked
    }
  }
  return pids;
}
