import { z } from 'zod';

/**
 * zod compiles a fast path (new Function) for an object schema on its first parse. A command
 * parses each schema a few times, so the compiling cost more than it saved (about 9 ms of a
 * 150 ms `run`), and compiled code is not kept in V8's code cache. Imported first by the CLI:
 * a schema reads this setting when it is made.
 */
z.config({ jitless: true });
