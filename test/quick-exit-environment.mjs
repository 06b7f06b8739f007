import { TestEnvironment } from 'jest-environment-node';

/**
 * Jest's node environment, plus one thing for the worker process it runs in: when jest tells the
 * worker to end, the worker exits at once (process.exit) instead of letting its event loop run dry.
 * Running dry, Node frees the whole heap first (every test file's modules, hundreds of MB); on a
 * loaded machine that takes longer than the half second jest allows, and jest then kills the
 * worker and warns that it "failed to exit gracefully". The worker has sent every result by then.
 */

/** jest-worker's message from the parent: "end" (its CHILD_MESSAGE_END). */
const END = 2;

let installed = false;

function exitWhenTold() {
  // in band (one file, or --runInBand) there is no worker: jest itself must end as usual
  if (installed || typeof process.send !== 'function') return;
  installed = true;
  process.on('message', (message) => {
    if (Array.isArray(message) && message[0] === END) setImmediate(() => process.exit(0));
  });
}

export default class QuickExitEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    exitWhenTold();
  }
}
