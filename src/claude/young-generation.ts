import { setFlagsFromString } from 'node:v8';

/**
 * A claude call streams gigabytes through short-lived strings and objects. Left alone, V8 grows
 * its young generation towards 48 MB under that allocation rate, so peak memory would follow the
 * stream's size; at its start size the same objects die just as young (measured with
 * `npm run bench`: the same speed, peak RSS flat from 64 MiB to 1 GiB). V8 reads this flag
 * whenever it would grow the young generation, so setting it at any time takes effect. The
 * bundle's launcher sets it before anything is compiled (V8 stamps a code cache with the flags it
 * was made under), and every claude call sets it again, for the unbundled build.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
