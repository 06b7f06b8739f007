import { createReadStream } from 'node:fs';
import { LineSplitter } from './line-splitter.js';

/** Calls `onLine` for every line of a file, streaming it; resolves when the file has been read. */
export async function forEachLine(file: string, onLine: (line: Buffer) => void): Promise<void> {
  const splitter = new LineSplitter(onLine);
  for await (const chunk of createReadStream(file)) splitter.push(chunk as Buffer);
  splitter.end();
}
