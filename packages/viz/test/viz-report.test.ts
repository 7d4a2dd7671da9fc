import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { writeReport, ReportError } from '../src/index.js';
import { esc } from '../src/report/html.js';
import { instabilityComplete, noncomputabilityPartial } from './fixtures/summaries.js';
import { ARTIFACTS, launchChromium } from './browser.js';
import { shortcutScene, writeRun } from './fixtures/runs.js';

const EVIL = '<img src=x onerror="window.__pwned=1">&"\'';

describe('report.html', () => {
  /** The demo folder of two runs (nothing else may be put here: the report reads every run in it). */
  let root: string;
  /** Where the tests that make real runs put them. */
  let scratch: string;
  let browser: Browser | undefined;
  /** The demo folder's report, written once by whichever test needs it first (any test order). */
  let demo: ReturnType<typeof writeReport> | undefined;
  const demoReport = (): ReturnType<typeof writeReport> =>
    (demo ??= writeReport(root, { boundaries: (run) => (run.summary.run.experiment === 'instability' ? [shortcutScene()] : []) }));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'paradox-report-'));
    scratch = mkdtempSync(join(tmpdir(), 'paradox-report-runs-'));
    const nc = noncomputabilityPartial();
    nc.run.name = `breakdown ${EVIL}`;
    const first = nc.cells[0]!;
    if (first.experiment === 'noncomputability') first.algorithm = `gd${EVIL}`;
    writeRun(join(root, 'noncomputability'), nc, { name: nc.run.name, experiment: 'noncomputability', note: EVIL });
    writeRun(join(root, 'instability'), instabilityComplete(), { name: 'instability-fixture', experiment: 'instability' });
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('writes one self-contained page for a demo folder of two runs, plus editable chart files', async () => {
    const res = await demoReport();
    expect(res.path).toBe(join(root, 'report.html'));
    expect(res.runs.map((r) => r.summary.run.experiment).sort()).toEqual(['instability', 'noncomputability']);
    expect(res.charts.map((c) => c.chart.id).sort()).toEqual(
      ['decision-boundary', 'dichotomy', 'phase-diagram', 'radius-distributions', 'success-vs-epsilon', 'unstable-vs-stripes'].sort(),
    );
    expect(res.assets).toHaveLength(3 * 6);
    for (const a of res.assets) expect(existsSync(a)).toBe(true);
    const html = readFileSync(res.path, 'utf8');
    // Self-contained: no URL the browser would fetch.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<link\b/);
    // Every string from a spec is escaped.
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;&amp;&quot;&#39;');
    expect(html).toContain('Partial run.');
    // Fixture run directories have no store: the report says so instead of failing.
    expect(html).toMatch(/<dt>run store<\/dt><dd>unavailable/);
  });

  it('opens in Chromium from disk with the network blocked: no errors, every chart visible', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL((await demoReport()).path).href);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
    const figures = await page.$$eval('figure.chart', (fs) =>
      fs.map((f) => {
        const img = f.querySelector('img') as HTMLImageElement;
        const r = img.getBoundingClientRect();
        return { id: f.getAttribute('data-chart'), w: img.naturalWidth, h: img.naturalHeight, shownW: r.width, shownH: r.height, broken: f.classList.contains('broken') };
      }),
    );
    expect(figures).toHaveLength(6);
    for (const f of figures) {
      expect(f.broken, f.id ?? '').toBe(false);
      expect(f.w).toBeGreaterThan(200);
      expect(f.shownH).toBeGreaterThan(100);
    }
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('h2', { hasText: 'breakdown <img src=x' }).count()).toBe(1);
    expect(await page.locator('table.cells').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('replays a trial of an instability cell in core-wasm for the default decision-boundary chart', async () => {
    const dir = join(root, 'instability');
    const out = join(scratch, 'single', 'report.html');
    const res = await writeReport(dir, { out, assets: false });
    const boundary = res.charts.find((c) => c.chart.id === 'decision-boundary');
    expect(boundary).toBeDefined();
    expect(boundary!.chart.caption).toContain('method train');
    const panels = (boundary!.chart.spec['hconcat'] as Array<{ title: string }>).map((p) => p.title);
    expect(panels[0]).toBe('true f');
    expect(panels[1]).toMatch(/^train 2-3-1 \(P\(N\) = 4\)$/);
    expect(panels[2]).toMatch(/^ψ_T, width \d+$/);
    expect(res.assets).toEqual([]);
    const none = await writeReport(dir, { out, assets: false, boundaries: false });
    expect(none.charts.map((c) => c.chart.id)).not.toContain('decision-boundary');
  });

  it('reports a real run: charts from its summary, timings from its store', async () => {
    const { runSweep } = await import('@paradox/orchestrator');
    const dir = join(scratch, 'real');
    const res = await runSweep(
      {
        name: 'tiny-breakdown',
        experiment: 'noncomputability',
        seed: 5,
        grid: { algorithm: ['coin', 'hedge'], K: [4], readBits: [4, 8] },
        fixed: { d: 2, width: 4, samples: 4, lambda: 0.05, epsilons: [0.1, 0.45, 0.6] },
        trials: 20,
        workers: 1,
      },
      { outDir: dir },
    );
    expect(res.status).toBe('complete');
    const rep = await writeReport(dir, { assets: false });
    expect(rep.charts.map((c) => c.chart.id)).toEqual(['success-vs-epsilon', 'phase-diagram']);
    const html = readFileSync(rep.path, 'utf8');
    expect(html).toContain('<dt>trials per worker-second</dt>');
    expect(html).toMatch(/<dt>batches stored<\/dt><dd>[1-9]/);
    expect(html).toContain('&quot;tiny-breakdown&quot;');
  }, 120_000);

  it('a real report with many cells and a long unbroken name fits 1280 × 800 and 390 × 844: wide tables scroll in their own box, nothing clipped, no raw cell key', async () => {
    const { runSweep } = await import('@paradox/orchestrator');
    const dir = join(scratch, 'layout');
    const name = 'sweep_over_every_algorithm_K_readBits_and_eps_with_a_long_name';
    const ins = join(dir, 'instability');
    const nc = join(dir, 'noncomputability');
    const a = await runSweep(
      {
        name,
        experiment: 'noncomputability',
        seed: 3,
        grid: { algorithm: ['coin', 'hedge', 'exact-read', 'gd'], K: [4, 8], readBits: [2, 9] },
        fixed: { d: 2, width: 4, samples: 4, lambda: 0.05, steps: 5, epsilons: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5] },
        trials: 4,
        workers: 1,
      },
      { outDir: nc },
    );
    const b = await runSweep(
      {
        name: `${name}_instability`,
        experiment: 'instability',
        seed: 3,
        grid: { m: [4, 6] },
        zip: { method: ['train', 'construct-stable'], hidden: [[3], [4]] },
        fixed: { d: 2, r: 16, s: 8, epochs: 30, lr: 0.03 },
        trials: 2,
        workers: 1,
      },
      { outDir: ins },
    );
    expect([a.status, b.status]).toEqual(['complete', 'complete']);
    const rep = await writeReport([nc, ins], { out: join(dir, 'report.html'), assets: false });
    const html = readFileSync(rep.path, 'utf8');
    // Captions and tables name cells by their parameters: no cell key, in the page or in a chart.
    const svgs = [...html.matchAll(/data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'));
    expect(svgs.length).toBeGreaterThan(3);
    for (const run of rep.runs) {
      for (const cell of run.summary.cells) {
        for (const text of [html, ...svgs]) {
          expect(text).not.toContain(cell.cellKey);
          expect(text).not.toContain(esc(cell.cellKey));
        }
      }
    }
    expect(html).not.toMatch(/(instability|noncomputability):\{/);
    const boundary = rep.charts.find((c) => c.chart.id === 'decision-boundary');
    expect(boundary?.chart.caption).toMatch(/^Cell m 4, method train, hidden \[3\], replayed/);

    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      const page = await browser!.newPage({ viewport: { width, height } });
      await page.goto(pathToFileURL(rep.path).href);
      await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
      const m = await page.evaluate(() => {
        const wraps = Array.from(document.querySelectorAll('.table-wrap')).map((w) => ({
          overflowX: getComputedStyle(w).overflowX,
          scrollable: w.scrollWidth > w.clientWidth,
          tableWidth: w.querySelector('table')!.getBoundingClientRect().width,
        }));
        // A cell whose content is wider than the cell is clipped mid-number.
        const clipped = Array.from(document.querySelectorAll('td, th')).filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent);
        return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wraps, clipped };
      });
      expect(m.scrollWidth, `${width}×${height}`).toBeLessThanOrEqual(m.innerWidth);
      expect(m.clipped).toEqual([]);
      // The noncomputability table (ten ε columns) is wider than either window: it scrolls in its box.
      expect(m.wraps.some((w) => w.tableWidth > width && w.scrollable && w.overflowX === 'auto')).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, `report-layout-${width}.png`) });
      await page.close();
    }
  }, 240_000);

  it('names what is wrong with a bad target', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'paradox-empty-'));
    await expect(writeReport(empty)).rejects.toThrow(/no summary\.json here or in any sub-folder/);
    writeFileSync(join(empty, 'summary.json'), '{"format":"other"}');
    await expect(writeReport(empty)).rejects.toThrow(ReportError);
    await expect(writeReport(empty)).rejects.toThrow(/paradox-summary\/1/);
    await expect(writeReport([empty])).rejects.toThrow(/options\.out is required|paradox-summary/);
    rmSync(empty, { recursive: true, force: true });
  });
});
