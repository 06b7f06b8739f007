import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import parserStream, { type parser } from 'stream-json';
import Assembler from 'stream-json/assembler.js';
import { firstIssueText } from '../declare/issues.js';
import { CorruptStateError } from './atomic-json.js';
import { checkState } from './read-state.js';
import { SequenceStateSchema, SequenceTaskEntrySchema, type SequenceState, type SequenceTaskEntry } from './sequence-state.js';

/** `sequence.state.json` without its per-task entries: what status and merge need of it. */
export type SequenceOverview = Omit<SequenceState, 'tasks'>;

export interface ReadOverview {
  overview: SequenceOverview;
  /** How many entries `tasks` held; each was checked against its declaration as it went by. */
  tasksListed: number;
}

/**
 * Reads a sequence state as a stream, checking every entry of `tasks` on its own and keeping
 * none of them (`onEntry` sees each), so that a sequence of any number of tasks is read in
 * the same memory. Undefined when the file does not exist; the same errors as `readStateFile`.
 */
export async function readSequenceOverview(
  file: string,
  onEntry: (entry: SequenceTaskEntry) => void = () => {},
): Promise<ReadOverview | undefined> {
  const root = new Assembler();
  let entry: Assembler | undefined;
  let tasksListed = 0;
  const entryDone = (value: unknown) => {
    const parsed = SequenceTaskEntrySchema.safeParse(value);
    if (!parsed.success) throw new CorruptStateError(file, firstIssueText(parsed.error, ['tasks', tasksListed]), true);
    tasksListed++;
    onEntry(parsed.data);
  };
  try {
    // pipeline, not pipe: a read error (no such file) must reach the loop below
    const tokens = pipeline(createReadStream(file), parserStream({ streamValues: false }), () => {});
    for await (const token of tokens as AsyncIterable<parser.Token>) {
      if (!entry && startsTaskEntry(root, token.name)) entry = new Assembler();
      if (!entry) {
        root.consume(token);
        continue;
      }
      entry.consume(token);
      if (entry.done) {
        entryDone(entry.current);
        entry = undefined;
      }
    }
  } catch (error) {
    const { code, syscall } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') return undefined;
    // the file system's errors (a folder that is a file, no permission) are reported as such, not as a bad file
    if (error instanceof CorruptStateError || syscall !== undefined) throw error;
    throw new CorruptStateError(file, (error as Error).message);
  }
  if (!root.done) throw new CorruptStateError(file, 'Unexpected end of JSON input');
  const { tasks: _entriesAlreadyChecked, ...overview } = checkState(file, root.current, SequenceStateSchema);
  return { overview, tasksListed };
}

/** The next token starts an entry of the top-level `tasks` list (the root assembler holds that list, empty, open). */
function startsTaskEntry(root: Assembler, token: string): boolean {
  return root.depth === 2 && root.stack[1] === 'tasks' && Array.isArray(root.current) && token !== 'endArray';
}
