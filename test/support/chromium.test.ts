/**
 * How the browser tests find their Chromium: CHROMIUM_BIN, then the system's, then the one inside
 * @sparticuz/chromium; with none, an error that says how to get one (never a skip). The last test
 * launches the bundled browser for real, whatever else this machine has.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { bundledChromium, findChromium, type FoundChromium } from './chromium.js';

let dir: string;
let present: string;
let absent: string;
const BUNDLED: FoundChromium = { source: '@sparticuz/chromium', executablePath: '/bundled/chromium', args: [], env: {} };
const bundled = async (): Promise<FoundChromium> => BUNDLED;
const notInstalled = async (): Promise<FoundChromium> => {
  throw new Error('@sparticuz/chromium is not installed');
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cp-chromium-'));
  present = path.join(dir, 'chromium');
  absent = path.join(dir, 'no-chromium');
  await writeFile(present, '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('findChromium', () => {
  it('takes CHROMIUM_BIN first, before a system browser', async () => {
    const found = await findChromium({ env: { CHROMIUM_BIN: present }, systemPath: present, bundled: notInstalled });
    expect([found.source, found.executablePath]).toEqual(['CHROMIUM_BIN', present]);
  });

  it('refuses a CHROMIUM_BIN that does not exist, naming it, rather than looking elsewhere', async () => {
    await expect(findChromium({ env: { CHROMIUM_BIN: absent }, systemPath: present, bundled })).rejects.toThrow(
      `CHROMIUM_BIN=${absent}: no such file. Point it at a Chromium binary, or unset it.`,
    );
  });

  it('takes the system browser next, unless CHROMIUM_NO_SYSTEM=1', async () => {
    const system = await findChromium({ env: {}, systemPath: present, bundled });
    expect([system.source, system.executablePath]).toEqual(['system', present]);
    expect(await findChromium({ env: { CHROMIUM_NO_SYSTEM: '1' }, systemPath: present, bundled })).toBe(BUNDLED);
  });

  it('takes @sparticuz/chromium when there is no system browser', async () => {
    expect(await findChromium({ env: {}, systemPath: absent, bundled })).toBe(BUNDLED);
  });

  it('with no browser at all, fails with the reason and the three ways to get one', async () => {
    await expect(findChromium({ env: {}, systemPath: absent, bundled: notInstalled })).rejects.toThrow(
      "no Chromium for the browser tests (@sparticuz/chromium is not installed): set CHROMIUM_BIN to a Chromium binary, install Debian's chromium (apt-get install -y chromium), or run npm ci to install the devDependency @sparticuz/chromium (Linux x64).",
    );
  });
});

describe('the Chromium inside @sparticuz/chromium', () => {
  it("launches headless and draws text with its own font, not the system's", async () => {
    const found = await bundledChromium();
    const browser = await chromium.launch({ executablePath: found.executablePath, headless: true, args: found.args, env: found.env });
    try {
      const page = await browser.newPage();
      await page.setContent('<p id="text" style="font-family: sans-serif">tokens › cost · 80.6%</p>');
      const cdp = await page.context().newCDPSession(page);
      const { root } = await cdp.send('DOM.getDocument');
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#text' });
      await cdp.send('CSS.enable');
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      // Every glyph from the package's Open Sans: none missing, none from a system font.
      expect(fonts.map((font) => [font.postScriptName, font.glyphCount])).toEqual([['OpenSans-Regular', 'tokens › cost · 80.6%'.length]]);
    } finally {
      await browser.close();
      await found.remove?.();
    }
  }, 180_000);
});
