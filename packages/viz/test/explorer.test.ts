import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { serveExplorer, type ExplorerServer } from '../src/index.js';
import { ARTIFACTS, launchChromium } from './browser.js';

const CONFIG = fileURLToPath(new URL('../explorer/vite.config.ts', import.meta.url));

/** Counts WebAssembly compilations/instantiations on the page's main thread (never in workers). */
const COUNT_MAIN_THREAD_WASM = `(() => {
  window.__wasmMain = 0;
  for (const name of ['compile', 'compileStreaming', 'instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = function (...args) { window.__wasmMain++; return original.apply(this, args); };
  }
})();`;

async function snapshot(page: Page): Promise<{ net: string; psi: string; acc: string; robust: string; bracket: string; arch: string }> {
  return page.evaluate(() => ({
    net: (document.getElementById('canvas-net') as HTMLCanvasElement).toDataURL(),
    psi: (document.getElementById('canvas-psi') as HTMLCanvasElement).toDataURL(),
    acc: document.getElementById('net-acc')!.textContent ?? '',
    robust: document.getElementById('net-robust')!.textContent ?? '',
    bracket: document.getElementById('net-bracket-min')!.textContent ?? '',
    arch: document.getElementById('net-arch')!.textContent ?? '',
  }));
}

describe('explorer page', () => {
  let outDir: string;
  let server: ExplorerServer;
  let browser: Browser;

  beforeAll(async () => {
    // Build the current sources into a temporary folder, so the test never runs a stale dist/.
    outDir = mkdtempSync(join(tmpdir(), 'paradox-explorer-'));
    await build({ configFile: CONFIG, logLevel: 'error', build: { outDir, emptyOutDir: true } });
    server = await serveExplorer({ root: outDir });
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('serves the page and its WebAssembly with the right types, and nothing outside its folder', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('paradox explorer');
    expect((await fetch(new URL('../../../../etc/passwd', server.url))).status).toBe(404);
    expect((await fetch(`${server.url}%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
  });

  it('trains in a worker; moving a slider and pressing Train updates the boundary and the numbers', async () => {
    const page = await browser.newPage({ viewport: { width: 1560, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(COUNT_MAIN_THREAD_WASM);
    // Only the local server may be reached.
    await page.route('**/*', (route) => (route.request().url().startsWith(server.url) ? route.continue() : route.abort()));
    await page.goto(server.url);
    await page.waitForSelector('body[data-runs="1"]', { timeout: 60_000 });
    const first = await snapshot(page);
    expect(first.arch).toBe('2-8-1');
    expect(first.acc).toMatch(/^[\d.]+ \/ [\d.]+$/);

    await page.locator('#width').fill('16');
    await page.locator('#m').fill('4');
    await page.click('#train');
    await page.waitForSelector('body[data-runs="2"]', { timeout: 60_000 });
    const second = await snapshot(page);
    expect(second.arch).toBe('2-16-1');
    expect(second.net).not.toBe(first.net);
    expect(second.psi).not.toBe(first.psi);
    expect(`${second.acc}|${second.robust}|${second.bracket}`).not.toBe(`${first.acc}|${first.robust}|${first.bracket}`);

    // core-wasm ran in a dedicated worker and never on the main thread.
    const where = await page.evaluate(() => ({
      scope: document.body.dataset['workerScope'],
      instantiations: Number(document.body.dataset['workerInstantiations']),
      main: (window as unknown as { __wasmMain: number }).__wasmMain,
    }));
    expect(where).toEqual({ scope: 'DedicatedWorkerGlobalScope', instantiations: 1, main: 0 });
    await page.screenshot({ path: join(ARTIFACTS, 'explorer.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on a phone: fits the width, marks results stale when a control moves, and names a bad input instead of training', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/*', (route) => (route.request().url().startsWith(server.url) ? route.continue() : route.abort()));
    await page.goto(server.url);
    await page.waitForSelector('body[data-runs="1"]', { timeout: 60_000 });
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      canvases: Array.from(document.querySelectorAll('canvas')).map((c) => c.getBoundingClientRect().right),
    }));
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
    for (const right of layout.canvases) expect(right).toBeLessThanOrEqual(layout.innerWidth);
    const state = () =>
      page.evaluate(() => ({
        state: document.body.dataset['state'],
        stale: document.body.dataset['stale'],
        status: document.getElementById('status')!.textContent,
        disabled: (document.getElementById('train') as HTMLButtonElement).disabled,
      }));
    expect(await state()).toMatchObject({ state: 'done', stale: 'false', disabled: false });
    const before = await snapshot(page);

    // A control moves: the results on screen are marked stale, not silently kept as current.
    await page.locator('#m').fill('9');
    expect(await state()).toMatchObject({ state: 'stale', stale: 'true', disabled: false });
    expect((await state()).status).toContain('parameters changed');
    // Moving it back makes them current again.
    await page.locator('#m').fill('6');
    expect(await state()).toMatchObject({ state: 'done', stale: 'false' });

    // Bad seeds: a message naming the input and what it accepts; Train is off; nothing recomputed.
    for (const [value, message] of [
      ['-1', 'seed: expected a whole number from 0 to 4294967295, got -1'],
      ['2.5', 'seed: expected a whole number, got 2.5'],
      ['', 'seed: expected a whole number from 0 to 4294967295, got nothing'],
    ] as const) {
      await page.locator('#seed').fill(value);
      const s = await state();
      expect(s).toMatchObject({ state: 'invalid', disabled: true });
      expect(s.status).toContain(message);
    }
    expect(await page.locator('#seed').getAttribute('aria-invalid')).toBe('true');
    expect(await snapshot(page)).toEqual(before);

    await page.locator('#seed').fill('3');
    expect(await state()).toMatchObject({ state: 'stale', stale: 'true', disabled: false });
    await page.click('#train');
    await page.waitForSelector('body[data-runs="2"]', { timeout: 60_000 });
    expect(await state()).toMatchObject({ state: 'done', stale: 'false', disabled: false });
    expect((await snapshot(page)).net).not.toBe(before.net);
    await page.screenshot({ path: join(ARTIFACTS, 'explorer-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
