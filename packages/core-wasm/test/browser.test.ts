// The package in a real browser (Debian's Chromium through playwright-core): the built ESM files
// and the .wasm are served over HTTP, the page loads the core from a URL and from bytes, trains,
// and must get bit-identical parameters to the same training in Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { initNetwork, loadCore, randomUniform, train } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/** Debian's Chromium, installed on demand when running as root (as CI does). */
function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    execFileSync('flock', ['/tmp/paradox-apt.lock', 'sh', '-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium'], { stdio: 'inherit', timeout: 600_000 });
    if (existsSync(CHROMIUM)) return CHROMIUM;
  }
  throw new Error(`the browser test needs Debian's Chromium at ${CHROMIUM}; install it with: sudo apt-get install chromium`);
}

let server: Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>core-wasm</title>');
      return;
    }
    const file = join(pkgDir, path);
    if (!(path.startsWith('/dist/') || path.startsWith('/build/')) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: ensureChromium(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** The training both sides run. */
const SETUP = { dims: [2, 8, 6, 1], n: 64, seed: 3, options: { optimizer: 'adam', lr: 0.01, epochs: 40, batchSize: 16, seed: 3 } } as const;

/** Runs in the page: load the core twice (URL, bytes) and train. */
const PAGE_SCRIPT = `async (setup) => {
  const m = await import('/dist/index.js');
  const fromUrl = await m.loadCore({ source: new URL('/build/release.wasm', location.href) });
  const bytes = await (await fetch('/build/release.wasm')).arrayBuffer();
  const fromBytes = await m.loadCore({ source: bytes });
  const run = (core) => {
    const x = m.randomUniform(core, { seed: setup.seed }, 2 * setup.n);
    const y = Array.from({ length: setup.n }, (_, b) => (x[2 * b] > 0.5 ? 1 : 0));
    const net = m.initNetwork(core, setup.dims, true, { seed: setup.seed });
    const r = m.train(core, net, { x, y }, setup.options);
    if (r.status !== 'completed') throw new Error(r.message);
    return Array.from(r.network.params);
  };
  return { url: run(fromUrl), bytes: run(fromBytes), kat: Array.from(m.philoxBlock(fromUrl, [0, 0, 0, 0], [0, 0])) };
}`;

/** Runs in the page: plugins by file path are refused clearly; a plugin from a URL loads and runs. */
const PLUGIN_SCRIPT = `async () => {
  const root = await import('/dist/index.js');
  const m = await import('/dist/noncomputability/index.js');
  let refused;
  try { await m.loadPlugin('./my-algo.mjs'); } catch (e) { refused = { name: e.name, code: e.code, message: e.message }; }
  const source = 'export default { name: "first-coordinate", run(ctx) { const s = ctx.tools.reduced(ctx.read(ctx.budget), 0).s; const slopes = new Array(ctx.d).fill(0); slopes[0] = s; return { network: ctx.tools.linear(slopes) }; } };';
  const url = 'data:text/javascript,' + encodeURIComponent(source);
  const core = await root.loadCore({ source: new URL('/build/release.wasm', location.href) });
  const pairs = await m.runNoncomputabilityTrialsAsync(core, { algorithm: 'plugin', plugin: url, K: 8, readBits: 8 }, { seed: 1, streamHi: 0, tStart: 0, count: 2 });
  return { refused, identical: pairs.map((p) => p.identical), plus: pairs.map((p) => p.plus.success), minus: pairs.map((p) => p.minus.success) };
}`;

describe('in a browser', () => {
  it('loads from a URL and from bytes, and trains bit-identically to Node', async () => {
    expect(existsSync(join(pkgDir, 'dist', 'index.js')), 'build the package first (pnpm build)').toBe(true);
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/`);
      // Plain source text: vitest rewrites import() in test code, which must not reach the page.
      const result = (await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify(SETUP)})`)) as { url: number[]; bytes: number[]; kat: number[] };
      const core = await loadCore();
      const x = randomUniform(core, { seed: SETUP.seed }, 2 * SETUP.n);
      const y = Array.from({ length: SETUP.n }, (_, b) => (x[2 * b]! > 0.5 ? 1 : 0));
      const r = train(core, initNetwork(core, SETUP.dims, true, { seed: SETUP.seed }), { x, y }, SETUP.options);
      if (r.status !== 'completed') throw new Error(r.message);
      expect(result.kat).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
      expect(result.url).toEqual(Array.from(r.network.params));
      expect(result.bytes).toEqual(result.url);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('refuses a plugin file path with a clear error and runs a plugin loaded from a URL', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/`);
      const result = (await page.evaluate(`(${PLUGIN_SCRIPT})()`)) as {
        refused?: { name: string; code: string; message: string };
        identical: boolean[];
        plus: boolean[][];
        minus: boolean[][];
      };
      expect(result.refused?.name).toBe('CoreError');
      expect(result.refused?.code).toBe('E_ARG');
      expect(result.refused?.message).toContain('in a browser pass the module\'s URL');
      // readBits = K: both signs see the same data, so the outputs are identical and coordinate 1 is
      // right on ι⁺ only (the smallest default ε is below ε_B).
      expect(result.identical).toEqual([true, true]);
      expect(result.plus.map((s) => s[0])).toEqual([true, true]);
      expect(result.minus.map((s) => s[0])).toEqual([false, false]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
