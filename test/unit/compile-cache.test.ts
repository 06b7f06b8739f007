import path from 'node:path';
import { compileCacheFile, compileCacheFolder } from '../../src/compile-cache.js';

describe('compileCacheFolder', () => {
  it('is CLAUDE_PROJECT_COMPILE_CACHE when set (made absolute), none when it says off', () => {
    expect(compileCacheFolder({ CLAUDE_PROJECT_COMPILE_CACHE: '/var/cache/cp' }, '/home/me')).toBe('/var/cache/cp');
    expect(compileCacheFolder({ CLAUDE_PROJECT_COMPILE_CACHE: 'rel/cache' }, '/home/me')).toBe(path.resolve('rel/cache'));
    expect(compileCacheFolder({ CLAUDE_PROJECT_COMPILE_CACHE: 'off', XDG_CACHE_HOME: '/xdg' }, '/home/me')).toBeUndefined();
  });

  it("is otherwise in XDG_CACHE_HOME when that is absolute (as the XDG rule says), else in the home's .cache", () => {
    expect(compileCacheFolder({ XDG_CACHE_HOME: '/xdg' }, '/home/me')).toBe('/xdg/claude-project/compile-cache');
    expect(compileCacheFolder({ XDG_CACHE_HOME: 'relative' }, '/home/me')).toBe('/home/me/.cache/claude-project/compile-cache');
    expect(compileCacheFolder({}, '/home/me')).toBe('/home/me/.cache/claude-project/compile-cache');
    expect(compileCacheFolder({ CLAUDE_PROJECT_COMPILE_CACHE: '' }, '')).toBeUndefined();
  });
});

describe('compileCacheFile', () => {
  it("names the build, this Node.js and the command, and anything that is not a command's name is `other`", () => {
    const file = compileCacheFile('/c', 'abcdef0123456789', 'run');
    expect(path.dirname(file)).toBe('/c');
    expect(path.basename(file)).toMatch(
      new RegExp(`^abcdef0123456789-${process.version.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]{8}-run\\.bin$`),
    );
    for (const command of ['--version', undefined, '../../etc', 'Run', 'x'.repeat(21)])
      expect(path.basename(compileCacheFile('/c', 'abcdef0123456789', command))).toMatch(/-other\.bin$/);
  });

  it('differs with the Node.js flags the process runs with (V8 rejects a cache made under other flags)', () => {
    const plain = compileCacheFile('/c', 'id', 'run');
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--max-old-space-size=100';
    try {
      expect(compileCacheFile('/c', 'id', 'run')).not.toBe(plain);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  });
});
