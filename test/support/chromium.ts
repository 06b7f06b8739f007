/**
 * The headless Chromium the browser tests drive, the first of:
 *   1. CHROMIUM_BIN, a path to a Chromium binary;
 *   2. /usr/bin/chromium (Debian's package), unless CHROMIUM_NO_SYSTEM=1;
 *   3. the Chromium inside the devDependency @sparticuz/chromium (Linux x64), unpacked once per
 *      version into the temp folder (atomically: into a fresh folder, renamed into place whole),
 *      with its own fonts and NSS libraries, so that `npm ci` is all a machine needs.
 * None found is an error saying how to get one: the browser tests never skip.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export interface FoundChromium {
  /** Where it came from: `CHROMIUM_BIN`, `system` or `@sparticuz/chromium`. */
  source: string;
  executablePath: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Removes what finding it created for this run (the bundled browser's font config), if anything. */
  remove?: () => Promise<void>;
}

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** What a browser run on this locked-down machine needs: no sandbox as root, no network chatter. */
const COMMON_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const run = promisify(execFile);

const HOW_TO_GET_ONE =
  "set CHROMIUM_BIN to a Chromium binary, install Debian's chromium (apt-get install -y chromium), or run npm ci to install the devDependency @sparticuz/chromium (Linux x64)";

export interface ChromiumSources {
  env: NodeJS.ProcessEnv;
  systemPath: string;
  bundled: () => Promise<FoundChromium>;
}

export async function findChromium(
  { env, systemPath, bundled }: ChromiumSources = { env: process.env, systemPath: SYSTEM_CHROMIUM, bundled: bundledChromium },
): Promise<FoundChromium> {
  const given = env.CHROMIUM_BIN;
  if (given) {
    if (!existsSync(given)) throw new Error(`CHROMIUM_BIN=${given}: no such file. Point it at a Chromium binary, or unset it.`);
    return { source: 'CHROMIUM_BIN', executablePath: given, args: COMMON_ARGS, env };
  }
  if (env.CHROMIUM_NO_SYSTEM !== '1' && existsSync(systemPath)) {
    return { source: 'system', executablePath: systemPath, args: COMMON_ARGS, env };
  }
  try {
    return await bundled();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`no Chromium for the browser tests (${reason}): ${HOW_TO_GET_ONE}.`);
  }
}

/** Flags in @sparticuz/chromium's recommended set that would loosen the page's security: the report test checks it as served. */
const LOOSENING_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content']);

export async function bundledChromium(): Promise<FoundChromium> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`@sparticuz/chromium ships a Linux x64 browser, and this is ${process.platform} ${process.arch}`);
  }
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  } catch {
    throw new Error('@sparticuz/chromium is not installed');
  }
  const root = path.resolve(path.dirname(entry), '..', '..');
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const { default: chromium } = await import('@sparticuz/chromium');
  const dir = path.join(tmpdir(), `claude-project-chromium-${version}`);
  if (!isComplete(dir)) await unpack(entry, path.join(root, 'bin'), dir);
  const fonts = await fontConfigOfThisRun(dir);
  return {
    source: '@sparticuz/chromium',
    executablePath: path.join(dir, 'chromium'),
    args: [...chromium.args.filter((arg) => !LOOSENING_ARGS.has(arg)), ...COMMON_ARGS],
    env: { ...process.env, FONTCONFIG_FILE: fonts, LD_LIBRARY_PATH: path.join(dir, 'al2023', 'lib') },
    remove: () => rm(path.dirname(fonts), { recursive: true, force: true }),
  };
}

/** What an unpacked browser folder holds; one that holds all of it is ready (it was renamed into place whole). */
const UNPACKED = ['chromium', path.join('al2023', 'lib', 'libnss3.so'), 'fonts'];

function isComplete(dir: string): boolean {
  return UNPACKED.every((file) => existsSync(path.join(dir, file)));
}

/**
 * A fontconfig file naming the unpacked fonts, and only them, with a font cache of this test run's
 * own: the shared browser folder is only ever read, so suites running side by side never write
 * the same files. Its folder goes with `FoundChromium.remove` (a jest worker ends by SIGKILL, so
 * a handler on the process's exit would never run).
 */
async function fontConfigOfThisRun(dir: string): Promise<string> {
  const own = await mkdtemp(path.join(tmpdir(), 'claude-project-fonts-'));
  const file = path.join(own, 'fonts.conf');
  await writeFile(
    file,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${dir}/fonts</dir>\n  <cachedir>${own}/cache</cachedir>\n</fontconfig>\n`,
  );
  return file;
}

/**
 * The package unpacks its browser into os.tmpdir(), and its NSS libraries too only where it
 * detects AWS Lambda: a child process with TMPDIR and AWS_EXECUTION_ENV set does it, into a fresh
 * folder renamed into place after, so that an interrupted or concurrent unpack never leaves a
 * half-written browser at `dir`.
 */
async function unpack(entry: string, binDir: string, dir: string): Promise<void> {
  const staging = await mkdtemp(`${dir}.partial-`);
  try {
    const script = 'const { default: c } = await import(process.argv[1]); process.stdout.write(await c.executablePath(process.argv[2]));';
    const { stdout: executable } = await run(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(entry).href, binDir], {
      env: { ...process.env, TMPDIR: staging, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' },
    });
    const expected = UNPACKED.map((file) => path.join(staging, file));
    const missing = expected.filter((file) => !existsSync(file));
    if (executable !== expected[0] || missing.length > 0) {
      throw new Error(
        `@sparticuz/chromium did not unpack as expected: executable ${executable}, missing ${missing.join(', ') || 'nothing'}`,
      );
    }
    await rename(staging, dir).catch(async (error: unknown) => {
      // another suite renamed its own complete copy into place first: that one is as good
      if (isComplete(dir)) return;
      if (!existsSync(dir)) throw error;
      // an incomplete folder no suite can be using (only whole ones are renamed in): set it aside
      const aside = `${staging}.incomplete`;
      await rename(dir, aside);
      await rename(staging, dir);
      await rm(aside, { recursive: true, force: true });
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
