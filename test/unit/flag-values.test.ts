import { InvalidArgumentError } from 'commander';
import { givenOnce, pathValue, positiveNumber, shardValue } from '../../src/commands/flag-values.js';

describe('flag values', () => {
  const maxUsd = positiveNumber('--max-usd', 'US dollars');

  it.each(['abc', '0', '-1', '', ' ', '1e400', '0x10', 'Infinity', '2usd'])('--max-usd %j is refused, the value quoted', (text) => {
    expect(() => maxUsd(text)).toThrow(InvalidArgumentError);
    expect(() => maxUsd(text)).toThrow(`--max-usd ${JSON.stringify(text)}: expected a positive number of US dollars`);
  });

  it.each([
    ['2', 2],
    ['0.5', 0.5],
    ['.25', 0.25],
    ['1e3', 1000],
  ])('--max-usd %j is %d', (text, value) => {
    expect(maxUsd(text)).toBe(value);
  });

  it.each(['0/3', '4/3', 'a/b', '1/0', '2', '1/99999999999999999999'])('--shard %j is refused, the value quoted', (text) => {
    expect(() => shardValue(text)).toThrow(`--shard ${JSON.stringify(text)}: expected <i>/<n> with 1 ≤ i ≤ n`);
  });

  it('--shard 2/3 is the second of three', () => {
    expect(shardValue(' 2/3 ')).toEqual({ index: 2, count: 3 });
  });

  it('a path flag refuses an empty value and keeps any other as typed', () => {
    expect(() => pathValue('--html')('  ')).toThrow('--html "  ": expected a path.');
    expect(pathValue('--html')(' a b.html')).toBe(' a b.html');
  });

  it('a flag given once is parsed as its parser says; a second value is refused, both quoted', () => {
    const shard = givenOnce('--shard', shardValue);
    const first = shard('1/2', undefined);
    expect(first).toEqual({ index: 1, count: 2 });
    expect(() => shard('2/2', first)).toThrow('--shard "2/2": given a second time (first "1/2"); give it once.');
    expect(() => givenOnce('--max-usd', maxUsd)('ten', undefined)).toThrow('--max-usd "ten": expected a positive number');
  });
});
