// Bundles the compiled CLI (dist/cli.js and everything it imports, dependencies included) into
// dist/bundle/: Node resolves and loads one file per command instead of some 300 modules, which
// is most of a short command's start-up. Each command's code stays in a chunk of its own, loaded
// only when that command runs.
import { chmod, rm } from 'node:fs/promises';
import { build } from 'esbuild';

// Chunk names are content hashes: without this, every earlier build's chunks would stay (and ship).
await rm('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Loaded only when metrics are on, from node_modules as installed.
  external: ['@opentelemetry/*'],
  // The dependencies written as CommonJS call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);",
  },
  logLevel: 'warning',
});

// The bin of package.json: runnable as is from a checkout too.
await chmod('dist/bundle/cli.js', 0o755);
