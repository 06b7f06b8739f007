import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'claude-project-runner';
let version: string | undefined;

/**
 * This program's version, from its package.json: the nearest one above this module that is
 * ours. The module runs from `src/`, from `dist/` and from the bundle in `dist/bundle/`, each a
 * different depth below it.
 */
export function packageVersion(): string {
  if (version !== undefined) return version;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === PACKAGE_NAME && manifest.version) {
        version = manifest.version;
        return version;
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`the package.json of ${PACKAGE_NAME} is not above ${fileURLToPath(import.meta.url)}`);
  }
}
