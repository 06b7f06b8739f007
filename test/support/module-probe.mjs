// Loaded with `node --import` (NODE_OPTIONS): appends every module the process loads to the file
// MODULE_PROBE_LOG names, so a test can tell which packages a command loaded: the URL of each ES
// module it imports, and the file URL (or `node:` name) of each CommonJS module it requires.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const log = process.env.MODULE_PROBE_LOG;
register('./module-probe-hooks.mjs', import.meta.url, { data: { log } });

const load = Module._load;
Module._load = function probedLoad(...args) {
  const [request, parent, isMain] = args;
  let resolved = request;
  try {
    resolved = Module._resolveFilename(request, parent, isMain);
  } catch {
    // not found: the load below says so
  }
  if (Module.isBuiltin(resolved)) resolved = resolved.startsWith('node:') ? resolved : `node:${resolved}`;
  else if (path.isAbsolute(resolved)) resolved = pathToFileURL(resolved).href;
  appendFileSync(log, `${resolved}\n`);
  return load.apply(this, args);
};
