#!/usr/bin/env node
// The package's bin in the bundle (scripts/bundle.mjs): runs the CLI, bundled as one CommonJS
// file, through V8's code cache.
import { fileURLToPath } from 'node:url';
import { compileCacheFolder, compileWithCache, userHome } from './compile-cache.js';
import { keepYoungGenerationSmall } from './claude/young-generation.js';

/** The bundled CLI's content hash, set by the bundler. */
declare const BUNDLE_ID: string;

// Before the CLI is compiled: a claude call sets this flag, and a code cache made after that
// would not match the flags of the next start.
keepYoungGenerationSmall();
const cli = compileWithCache(fileURLToPath(new URL('./claude-project.cjs', import.meta.url)), {
  folder: compileCacheFolder(process.env, userHome()),
  bundleId: BUNDLE_ID,
  command: process.argv[2],
});
process.once('exit', (code) => cli.save(code));
cli.run();
