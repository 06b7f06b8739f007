import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * V8's code cache for the bundled CLI, one file per command: a command starts from the code V8
 * compiled for it before, instead of parsing the bundle and compiling its functions again (most
 * of a short command's CPU). A command that succeeded writes the cache when it found none, or
 * when it compiled notably more code than the cache holds (a `run` that ran steps after one that
 * found its task done): the cache grows to the code the command's paths need. It lives in a
 * folder of the user's own that nobody else may write, since it is code this process runs.
 */

/** Where the cache lives: `CLAUDE_PROJECT_COMPILE_CACHE` (a folder, or `off`), else the user's cache folder. */
export function compileCacheFolder(env: NodeJS.ProcessEnv, home: string): string | undefined {
  const setting = env.CLAUDE_PROJECT_COMPILE_CACHE;
  if (setting === 'off') return undefined;
  if (setting) return path.resolve(setting);
  const cacheHome = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : home && path.join(home, '.cache');
  return cacheHome ? path.join(cacheHome, 'claude-project', 'compile-cache') : undefined;
}

/**
 * The cache file of a command, for one build of the bundle, on this Node.js with these flags (V8
 * rejects a cache made under other flags: processes started with and without some would
 * otherwise replace each other's).
 */
export function compileCacheFile(folder: string, bundleId: string, command: string | undefined): string {
  const name = command !== undefined && /^[a-z]{1,20}$/.test(command) ? command : 'other';
  const flags = createHash('sha256')
    .update(`${process.execArgv.join(' ')}\n${process.env.NODE_OPTIONS ?? ''}`)
    .digest('hex')
    .slice(0, 8);
  return path.join(folder, `${bundleId}-${process.version}-${process.arch}-${flags}-${name}.bin`);
}

/** The folder, made if need be, when only this user can write it; otherwise none is used. */
function privateFolder(folder: string): boolean {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stats = statSync(folder);
    const mine = typeof process.getuid !== 'function' || stats.uid === process.getuid();
    return stats.isDirectory() && mine && (stats.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** A cache file: this header, then V8's data. The header holds how much bytecode its writer had compiled. */
const MAGIC = 'CPC1';
const HEADER_BYTES = 8;

interface CacheFile {
  data: Buffer;
  bytecodeBytes: number;
}

function readCache(file: string): CacheFile | undefined {
  try {
    const bytes = readFileSync(file);
    if (bytes.length <= HEADER_BYTES || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
    return { bytecodeBytes: bytes.readUInt32LE(MAGIC.length), data: bytes.subarray(HEADER_BYTES) };
  } catch {
    return undefined;
  }
}

/** Writes whole or not at all: a new file renamed over the old one. Earlier builds' caches are removed. */
function writeCache(file: string, cache: CacheFile, bundleId: string): void {
  const folder = path.dirname(file);
  const partial = `${file}.${process.pid}.partial`;
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 'latin1');
  header.writeUInt32LE(Math.min(cache.bytecodeBytes, 0xffff_ffff), MAGIC.length);
  try {
    writeFileSync(partial, Buffer.concat([header, cache.data]), { flag: 'wx', mode: 0o600 });
    renameSync(partial, file);
    for (const name of readdirSync(folder))
      if (name.endsWith('.bin') && !name.startsWith(`${bundleId}-`)) rmSync(path.join(folder, name), { force: true });
  } catch {
    rmSync(partial, { force: true });
  }
}

/** How much more bytecode than the cache holds makes a command write it again. */
const GROWTH = 1.1;

export interface CachedScript {
  /** Runs the script as a CommonJS module (its `require` resolves from its own folder). */
  run(): void;
  /** At exit: writes the cache if the command succeeded and the cache was missing, unusable or outgrown. */
  save(exitCode: number): void;
}

/**
 * The CommonJS file `file` compiled with its cache in `folder` (none: no cache). `bundleId` names
 * this build: V8 checks its own version and flags, and a source's length only.
 */
export function compileWithCache(
  file: string,
  options: { folder: string | undefined; bundleId: string; command: string | undefined },
): CachedScript {
  const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
  const cacheFile =
    options.folder !== undefined && privateFolder(options.folder)
      ? compileCacheFile(options.folder, options.bundleId, options.command)
      : undefined;
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile);
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: cached?.data });
  const used = cached !== undefined && !script.cachedDataRejected ? cached : undefined;
  return {
    run() {
      const commonJs = { exports: {}, filename: file, id: file, loaded: false };
      const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
      wrapper.call(commonJs.exports, commonJs.exports, Module.createRequire(file), commonJs, file, path.dirname(file));
    },
    save(exitCode) {
      if (cacheFile === undefined || exitCode !== 0) return;
      const bytecodeBytes = v8.getHeapCodeStatistics().bytecode_and_metadata_size;
      if (used && bytecodeBytes <= used.bytecodeBytes * GROWTH) return;
      writeCache(cacheFile, { data: script.createCachedData(), bytecodeBytes }, options.bundleId);
    },
  };
}

/** The user's home folder, or '' where there is none. */
export function userHome(): string {
  try {
    return os.homedir();
  } catch {
    return '';
  }
}
