/**
 * A real headless Chromium (Debian's `chromium`, installed by .ci/run), driven over the DevTools
 * protocol on a pipe (--remote-debugging-pipe: commands on fd 3, replies and events on fd 4,
 * each message JSON ended by a NUL byte). Enough to open a page, read what it rendered and take
 * a screenshot, without a browser-automation dependency.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--remote-debugging-pipe',
];

export interface CdpEvent {
  method: string;
  params: Record<string, any>;
  sessionId?: string;
}

type Pending = { resolve: (value: any) => void; reject: (error: Error) => void; method: string };

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  /** Every event received, in order. */
  readonly events: CdpEvent[] = [];
  private readonly waiters: Array<{ match: (e: CdpEvent) => boolean; resolve: (e: CdpEvent) => void }> = [];
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly userDataDir: string,
  ) {
    const output = child.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited (${code ?? signal}) during ${p.method}:\n${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Starts chromium with a fresh profile. */
  static async launch(): Promise<Chromium> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium), as .ci/run does, or set CHROMIUM_BIN`);
    }
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'cp-chromium-'));
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${userDataDir}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    return new Chromium(child, userDataDir);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) p?.reject(new Error(`${p.method}: ${message.error.message}`));
        else p?.resolve(message.result);
      } else {
        const event = message as CdpEvent;
        this.events.push(event);
        for (const [i, w] of [...this.waiters.entries()].reverse()) {
          if (w.match(event)) {
            this.waiters.splice(i, 1);
            w.resolve(event);
          }
        }
      }
    }
  }

  /** Sends a command (to a page when `sessionId` is given) and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> {
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
    (this.child.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, ...(sessionId && { sessionId }) })}\0`);
    return withTimeout(reply, 20_000, method);
  }

  /** The next event (or one already received) that `match` accepts. */
  waitFor(match: (event: CdpEvent) => boolean, what: string): Promise<CdpEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return withTimeout(new Promise<CdpEvent>((resolve) => this.waiters.push({ match, resolve })), 20_000, what);
  }

  /** A new tab of `width` × `height` CSS pixels; returns its session id. */
  async newPage(width: number, height: number): Promise<string> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    for (const domain of ['Page', 'Network', 'Log', 'Runtime']) await this.send(`${domain}.enable`, {}, sessionId);
    return sessionId as string;
  }

  /** Opens `url` in the page and waits for its load event. */
  async open(sessionId: string, url: string): Promise<void> {
    const loaded = this.waitFor((e) => e.method === 'Page.loadEventFired' && e.sessionId === sessionId, `the load of ${url}`);
    const { errorText } = await this.send('Page.navigate', { url }, sessionId);
    if (errorText) throw new Error(`${url}: ${errorText}`);
    await loaded;
  }

  /** Runs `expression` in the page; its value, as JSON. */
  async evaluate<T>(sessionId: string, expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
    if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value as T;
  }

  /** A PNG of the whole page (not just the viewport). */
  async screenshot(sessionId: string): Promise<Buffer> {
    const { cssContentSize } = await this.send('Page.getLayoutMetrics', {}, sessionId);
    const clip = { x: 0, y: 0, width: Math.ceil(cssContentSize.width), height: Math.ceil(cssContentSize.height), scale: 1 };
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', clip, captureBeyondViewport: true }, sessionId);
    return Buffer.from(data as string, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => (this.child.exitCode !== null ? resolve(undefined) : this.child.once('exit', resolve)));
    await this.send('Browser.close').catch(() => undefined);
    await withTimeout(exited, 5_000, 'chromium to exit').catch(() => this.child.kill('SIGKILL'));
    await rm(this.userDataDir, { recursive: true, force: true });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`chromium: no answer for ${what} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
