import { getPriority, setPriority } from 'node:os';
import { TestEnvironment } from 'jest-environment-node';

/**
 * Jest's node environment, plus two things for the worker process it runs in, so that the worker
 * ends within the half second jest allows (else jest kills it and warns that it "failed to exit
 * gracefully"), however loaded the machine:
 *
 * - When jest tells the worker to end, it ends at once, by SIGKILL to itself: it has sent every
 *   result by then. Left to its event loop, Node first frees every test file's modules (hundreds
 *   of MB), and even process.exit() waits for V8's threads.
 * - The worker, and every process its tests start, run at a lower priority (nice 10) than jest
 *   itself: with two suites side by side, jest's own process, which sees the workers end, was
 *   otherwise left waiting for a core for longer than that half second.
 */

/** jest-worker's message from the parent: "end" (its CHILD_MESSAGE_END). */
const END = 2;

let installed = false;

function endWhenTold() {
  // in band (one file, or --runInBand) there is no worker: jest itself must end as usual
  if (installed || typeof process.send !== 'function') return;
  installed = true;
  if (getPriority() < 10) setPriority(10);
  process.on('message', (message) => {
    if (Array.isArray(message) && message[0] === END) process.kill(process.pid, 'SIGKILL');
  });
}

export default class QuickExitEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    endWhenTold();
  }
}
