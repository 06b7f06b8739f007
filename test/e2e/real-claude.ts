import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The real Claude Code executable from the pinned devDependency: the native binary of the
 * platform package (what `npm install` puts behind node_modules/.bin/claude).
 */
export function resolveRealClaude(): string {
  const require = createRequire(import.meta.url);
  const platformPackage = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  try {
    const dir = path.dirname(require.resolve(`${platformPackage}/package.json`));
    const binary = path.join(dir, process.platform === 'win32' ? 'claude.exe' : 'claude');
    if (existsSync(binary)) return binary;
  } catch {
    // fall through to the bin link
  }
  return path.resolve('node_modules/.bin/claude');
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
