import { InvalidArgumentError } from 'commander';
import type { Shard } from '../state/sequence-state.js';

/*
 * Every flag value is parsed and checked here, at its declaration in program.ts: a bad value
 * is refused before any command runs (exit 2), with a message naming the flag and quoting the value.
 */

const DECIMAL = /^\s*\d*\.?\d+(e[+-]?\d+)?\s*$/i;

/** A decimal number above 0 (`2`, `0.5`, `.25`, `1e3`): no hex, no Infinity, no empty value. */
export const positiveNumber =
  (flag: string, unit: string) =>
  (value: string): number => {
    const number = DECIMAL.test(value) ? Number(value) : Number.NaN;
    if (!Number.isFinite(number) || number <= 0) {
      throw new InvalidArgumentError(`${flag} ${JSON.stringify(value)}: expected a positive number of ${unit}, such as 2 or 0.5.`);
    }
    return number;
  };

/** `--shard <i>/<n>`, 1 ≤ i ≤ n. */
export function shardValue(value: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`--shard ${JSON.stringify(value)}: expected <i>/<n> with 1 ≤ i ≤ n, for example --shard 2/3.`);
  }
  return { index, count };
}

/** A file or folder path: anything but an empty (or blank) value. */
export const pathValue =
  (flag: string) =>
  (value: string): string => {
    if (value.trim() === '') throw new InvalidArgumentError(`${flag} ${JSON.stringify(value)}: expected a path.`);
    return value;
  };

/**
 * A flag that takes a value is given once: a second one (`--max-usd 5 … --max-usd 50`, a script
 * that adds its own) would silently replace the first.
 */
export function givenOnce<T>(flag: string, parse: (value: string) => T): (value: string, previous: T | undefined) => T {
  let first: string | undefined;
  return (value, previous) => {
    if (previous !== undefined)
      throw new InvalidArgumentError(
        `${flag} ${JSON.stringify(value)}: given a second time (first ${JSON.stringify(first)}); give it once.`,
      );
    first = value;
    return parse(value);
  };
}
