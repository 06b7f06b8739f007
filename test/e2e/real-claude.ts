import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The real Claude Code versions the tests run, each a devDependency: the pinned one under its
 * own name, the newest under an npm alias (both packages name their bin `claude`, so which one
 * node_modules/.bin/claude is depends on install order: the tests never use it).
 */
export const CLAUDE_PACKAGES = {
  '2.1.197': '@anthropic-ai/claude-code',
  '2.1.332': 'claude-code-2-1-332',
} as const;
export type ClaudeVersion = keyof typeof CLAUDE_PACKAGES;
export const PINNED_CLAUDE: ClaudeVersion = '2.1.197';
export const NEWEST_CLAUDE: ClaudeVersion = '2.1.332';

/**
 * The real Claude Code executable of a version: the native binary of its platform package,
 * resolved from the version's own package (so each finds its own), else the binary that the
 * package's postinstall copies into its bin/.
 */
export function resolveRealClaude(version: ClaudeVersion = PINNED_CLAUDE): string {
  const require = createRequire(import.meta.url);
  const wrapper = require.resolve(`${CLAUDE_PACKAGES[version]}/package.json`);
  const platformPackage = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  try {
    const dir = path.dirname(createRequire(wrapper).resolve(`${platformPackage}/package.json`));
    const binary = path.join(dir, process.platform === 'win32' ? 'claude.exe' : 'claude');
    if (existsSync(binary)) return binary;
  } catch {
    // fall through to the wrapper's bin
  }
  return path.join(path.dirname(wrapper), 'bin', 'claude.exe');
}

/** The environment for running the real CLI offline against a fake Messages API. */
export function realClaudeEnv(apiUrl: string, homeDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: homeDir,
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: 'offline-test-key',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
}
