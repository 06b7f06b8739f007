// Bundles the compiled CLI (dist/cli.js and everything it imports, dependencies included) into
// dist/bundle/: Node resolves and loads one file per command instead of some 300 modules, which
// is most of a short command's start-up. Each command's code stays in a chunk of its own, loaded
// only when that command runs.
import { chmod, rm } from 'node:fs/promises';
import { build } from 'esbuild';

/**
 * zod's namespace exports all of its ~45 message locales (half of its code), although only English
 * is ever used: each command would parse them at start-up. The namespace keeps English alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-english-only' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: process.cwd(),
    }));
  },
};

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
  plugins: [zodEnglishOnly],
  logLevel: 'warning',
});

// The bin of package.json: runnable as is from a checkout too.
await chmod('dist/bundle/cli.js', 0o755);
