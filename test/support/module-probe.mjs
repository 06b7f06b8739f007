// Loaded with `node --import` (NODE_OPTIONS): appends the URL of every module the process
// imports to the file MODULE_PROBE_LOG names, so a test can tell which packages a command loaded.
import { register } from 'node:module';

register('./module-probe-hooks.mjs', import.meta.url, { data: { log: process.env.MODULE_PROBE_LOG } });
