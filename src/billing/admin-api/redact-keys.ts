import { truncate } from '../../format/truncate.js';

/** Anything that looks like an Anthropic key (`sk-ant-…`), up to the next space, quote or bracket. */
const KEY_TEXT = /sk-ant-[^\s"'`<>()[\]{},;]*/g;
const KEPT = 10;

/** `text` with every key in it cut to its first 10 characters and `…`, so no message can leak one. */
export function redactKeys(text: string): string {
  return text.replace(KEY_TEXT, (key) => truncate(key, KEPT));
}
