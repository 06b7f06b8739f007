// Bundles the compiled CLI (dist/cli.js and everything it imports, dependencies included) into
// one CommonJS file, dist/bundle/claude-project.cjs, and the package's bin, dist/bundle/cli.js,
// which runs it through V8's code cache (src/compile-cache.ts). Node then reads one file instead
// of some 300 modules, and a command's second start compiles next to nothing: both were most of a
// short command's start-up.
import { createHash } from 'node:crypto';
import { chmod, readFile, rm } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import vm from 'node:vm';
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

/**
 * The price database, @pydantic/genai-prices, holds every provider's prices: 0.8 MB of source that
 * each `run` would parse (about 60 ms of CPU) to read Anthropic's alone. The bundle keeps the
 * package's code as published and its data array (the module's first statement) cut to the
 * Anthropic entry, which has no fallback to another provider's. The bundle's `prices` is tested
 * equal to the unbundled build's, which reads the package whole.
 */
function keepAnthropicPricesOnly(source, file) {
  const fail = (why) => {
    throw new Error(`${file}: ${why}; the price database's layout changed, update keepAnthropicPricesOnly in scripts/bundle.mjs`);
  };
  const head = /^const (\w+) = \[/.exec(source);
  if (!head) fail('it does not start with its data array');
  const open = head[0].length - 1;
  // the array ends at the first "]" that starts a line and closes a valid expression
  let end = -1;
  for (let at = source.indexOf('\n]', open); at !== -1 && end === -1; at = source.indexOf('\n]', at + 1)) {
    try {
      new vm.Script(`(${source.slice(open, at + 2)})`);
      end = at + 2;
    } catch {
      // a "]" inside a string or a nested literal: look further
    }
  }
  if (end === -1) fail('its data array has no end');
  const providers = vm.runInThisContext(`(${source.slice(open, end)})`);
  const anthropic = Array.isArray(providers) ? providers.filter((provider) => provider?.id === 'anthropic') : [];
  if (anthropic.length !== 1) fail(`its data array holds ${anthropic.length} Anthropic entries`);
  if (anthropic[0].fallback_model_providers) fail("Anthropic's entry falls back to other providers");
  const kept = JSON.stringify(anthropic);
  if (!isDeepStrictEqual(JSON.parse(kept), anthropic)) fail("Anthropic's entry is not plain data");
  return `const ${head[1]} = ${kept}${source.slice(end)}`;
}

const anthropicPricesOnly = {
  name: 'anthropic-prices-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]@pydantic[\\/]genai-prices[\\/]dist[\\/]index\.js$/ }, async (args) => ({
      contents: keepAnthropicPricesOnly(await readFile(args.path, 'utf8'), args.path),
      loader: 'js',
    }));
  },
};

// Only this build's files ship.
await rm('dist/bundle', { recursive: true, force: true });

const CLI_FILE = 'dist/bundle/claude-project.cjs';

await build({
  entryPoints: ['dist/cli.js'],
  outfile: CLI_FILE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Loaded only when metrics are on, from node_modules as installed (their CommonJS builds).
  external: ['@opentelemetry/*'],
  // import() of a module outside the bundle would need the ES module loader inside a vm.Script.
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "var importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [zodEnglishOnly, anthropicPricesOnly],
  logLevel: 'warning',
});

await build({
  entryPoints: ['dist/launch.js'],
  outfile: 'dist/bundle/cli.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // names the code cache: a cache of another build is never used
  define: {
    BUNDLE_ID: JSON.stringify(
      createHash('sha256')
        .update(await readFile(CLI_FILE))
        .digest('hex')
        .slice(0, 16),
    ),
  },
  logLevel: 'warning',
});

// The package.json's bin: runnable as is from a checkout too.
await chmod('dist/bundle/cli.js', 0o755);
