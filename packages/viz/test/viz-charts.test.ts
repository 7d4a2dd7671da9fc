import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '@paradox/orchestrator';
import {
  decisionBoundaryChart,
  dichotomyChart,
  phaseDiagramChart,
  radiusDistributionsChart,
  renderSvg,
  successVsEpsilonChart,
  summaryCharts,
  svgToPng,
  svgToPngAsync,
  unstableVsStripesChart,
  seriesColour,
  BOUND_COLOURS,
  CLASS_COLOURS,
  OKABE_ITO,
  REGION_COLOURS,
  SERIES_COLOURS,
  writeReport,
  type BoundaryScene,
  type Chart,
} from '../src/index.js';
import { EXTRA_COLOURS } from '../src/charts/style.js';
import { countMarks, legendColours, texts } from './svg-marks.js';
import { SCENE_M, shortcutScene, writeRun } from './fixtures/runs.js';

import {
  ALGORITHMS,
  analyseCell,
  analyseSummary,
  instabilityCell,
  instabilityComplete,
  instabilityPartial,
  KS,
  METHODS,
  noncomputabilityComplete,
  noncomputabilityPartial,
  READ_BITS,
  STRIPES,
} from './fixtures/summaries.js';

const EPS_PER_CELL = 5;
const PANELS = KS.length * READ_BITS.length;

function pngSize(png: Uint8Array): [number, number] {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

async function renderBoth(chart: Chart): Promise<{ svg: string; png: Uint8Array }> {
  const svg = await renderSvg(chart.spec);
  expect(svg.startsWith('<svg')).toBe(true);
  const png = svgToPng(svg, { scale: 1 });
  // The report rasterises off the main thread: the same renderer, the same bytes.
  expect(Buffer.from(await svgToPngAsync(svg, { scale: 1 })).equals(Buffer.from(png))).toBe(true);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const [w, h] = pngSize(png);
  expect(w).toBeGreaterThan(200);
  expect(h).toBeGreaterThan(100);
  expect(png.length).toBeGreaterThan(5000);
  return { svg, png };
}

describe('chart 1: success probability against ε', () => {
  it('draws one point and one interval per (cell, ε), 1/2 and ε_B once per panel', async () => {
    const chart = successVsEpsilonChart(noncomputabilityComplete());
    const { svg } = await renderBoth(chart);
    const n = ALGORITHMS.length * PANELS * EPS_PER_CELL;
    expect(countMarks(svg, 'points')).toBe(n);
    expect(countMarks(svg, 'intervals')).toBe(n);
    expect(countMarks(svg, 'half')).toBe(PANELS);
    expect(countMarks(svg, 'epsB')).toBe(PANELS);
    expect(texts(svg)).toContain('ε_B = 0.4');
    expect(texts(svg).some((t) => t.startsWith('accuracy ε'))).toBe(true);
    expect(chart.missing).toBe(0);
  });

  it('leaves out cells without trials instead of drawing them at 0', async () => {
    const chart = successVsEpsilonChart(noncomputabilityPartial());
    const { svg } = await renderBoth(chart);
    // 24 grid cells: one absent, one with 0 trials.
    expect(countMarks(svg, 'points')).toBe((ALGORITHMS.length * PANELS - 2) * EPS_PER_CELL);
    expect(chart.missing).toBe(1);
    const values = (chart.spec.data as { values: Array<Record<string, unknown>> }).values;
    expect(values.filter((r) => r['kind'] === 'point' && r['algorithm'] === 'gd' && r['trials'] === 0)).toHaveLength(0);
    expect(values.filter((r) => r['status'] === 'left out')).toHaveLength(EPS_PER_CELL);
    expect(chart.caption).toContain('Hollow squares are cells the run has not finished, which the headline numbers leave out. 1 cell has no finished trials and is not drawn.');
  });

  it('marks an unfinished cell as left out exactly when the headline leaves it out (the stopping rule minimum)', async () => {
    // The coin cell at K = 8, readBits = 16 stopped at 60 trials.
    const counted = noncomputabilityPartial();
    counted.run.minTrials = 50;
    const leftOut = noncomputabilityPartial();
    leftOut.run.minTrials = 100;
    const statuses = (s: typeof counted, chart: (s: typeof counted) => Chart) =>
      (chart(s).spec.data as { values: Array<Record<string, unknown>> }).values.filter((r) => r['algorithm'] === 'coin' && (r['panel'] === 'K = 8, readBits = 16' || (r['K'] === 8 && r['readBits'] === 16)) && r['status'] !== undefined).map((r) => r['status']);
    expect(new Set(statuses(counted, successVsEpsilonChart))).toEqual(new Set(['unfinished']));
    expect(new Set(statuses(leftOut, successVsEpsilonChart))).toEqual(new Set(['left out']));
    expect(statuses(counted, phaseDiagramChart)).toEqual(['unfinished']);
    expect(successVsEpsilonChart(counted).caption).not.toContain('Hollow squares');
    expect(phaseDiagramChart(counted).caption).not.toContain('* marks');
    expect(successVsEpsilonChart(leftOut).caption).toContain("Hollow squares are cells with fewer than 100 trials (the stopping rule's minimum), which the headline numbers leave out.");
    // Drawn: hollow (white-filled) points only where the headline leaves the cell out.
    const hollow = (svg: string) => [...svg.matchAll(/<g class="mark-symbol role-mark points_marks"[^>]*>([\s\S]*?)<\/g>/g)].reduce((n, m) => n + (m[1]!.match(/fill="white"/g) ?? []).length, 0);
    expect(hollow((await renderBoth(successVsEpsilonChart(counted))).svg)).toBe(0);
    expect(hollow((await renderBoth(successVsEpsilonChart(leftOut))).svg)).toBe(EPS_PER_CELL);
  });

  it('the y value at every point is the measure asked for', () => {
    const s = noncomputabilityComplete();
    for (const measure of ['min', 'plus', 'minus'] as const) {
      const rows = (successVsEpsilonChart(s, { measure }).spec.data as { values: Array<Record<string, unknown>> }).values.filter((r) => r['kind'] === 'point');
      const c = s.cells[0]!;
      if (c.experiment !== 'noncomputability') throw new Error('fixture');
      const r0 = c.eps[0]!;
      const expected = measure === 'min' ? r0.min.p : measure === 'plus' ? r0.plus.p : r0.minus.p;
      expect(rows[0]!['p']).toBe(expected);
    }
  });
});

describe('chart 2: phase diagram', () => {
  it('draws every (algorithm, K, readBits) with the readBits ≤ K frontier outlined', async () => {
    const chart = phaseDiagramChart(noncomputabilityComplete());
    const { svg } = await renderBoth(chart);
    const n = ALGORITHMS.length * PANELS;
    expect(countMarks(svg, 'cells')).toBe(n);
    expect(countMarks(svg, 'missing')).toBe(0);
    const capped = KS.reduce((s, K) => s + READ_BITS.filter((b) => b <= K).length, 0) * ALGORITHMS.length;
    expect(countMarks(svg, 'capped')).toBe(capped);
    expect(countMarks(svg, 'labels')).toBe(n);
  });

  it('shows absent and empty cells of a partial run as grey "missing" cells', async () => {
    const chart = phaseDiagramChart(noncomputabilityPartial());
    const { svg } = await renderBoth(chart);
    expect(countMarks(svg, 'missing')).toBe(2);
    expect(countMarks(svg, 'cells')).toBe(ALGORITHMS.length * PANELS - 2);
    expect(texts(svg).filter((t) => t === 'missing')).toHaveLength(2);
    expect(chart.missing).toBe(2);
  });

  it('uses the largest ε below ε_B by default and a chosen ε when asked', () => {
    const rows = (c: Chart) => (c.spec.data as { values: Array<Record<string, unknown>> }).values.filter((r) => r['kind'] === 'value');
    expect(new Set(rows(phaseDiagramChart(noncomputabilityComplete())).map((r) => r['eps']))).toEqual(new Set([0.25]));
    expect(new Set(rows(phaseDiagramChart(noncomputabilityComplete(), { eps: 0.11 })).map((r) => r['eps']))).toEqual(new Set([0.1]));
  });
});

describe('chart 3: dichotomy scatter', () => {
  it('draws one point and one bracket per cell with data', async () => {
    const { svg } = await renderBoth(dichotomyChart(instabilityComplete()));
    expect(countMarks(svg, 'points')).toBe(METHODS.length * STRIPES.length);
    expect(countMarks(svg, 'intervals')).toBe(METHODS.length * STRIPES.length);
    expect(countMarks(svg, 'corner')).toBe(1);
    const partial = dichotomyChart(instabilityPartial());
    const p = await renderBoth(partial);
    expect(countMarks(p.svg, 'points')).toBe(METHODS.length * STRIPES.length - 2);
    expect(partial.missing).toBe(1);
  });
});

describe('chart 4: unstable share against m', () => {
  it('draws the m − 1 = P(N) line for the fixed architecture and a point per cell', async () => {
    const { svg } = await renderBoth(unstableVsStripesChart(instabilityComplete()));
    expect(countMarks(svg, 'points')).toBe(METHODS.length * STRIPES.length);
    expect(countMarks(svg, 'bound')).toBe(1);
    expect(texts(svg)).toContain('m − 1 = P(N) = 4 (2-3-1)');
  });

  it('names a P(N) far outside the measured m instead of stretching the axis to it', async () => {
    const s = instabilityComplete();
    s.cells.push(instabilityCell('train', [2, 8, 8, 1], 6, 50));
    const { svg } = await renderBoth(unstableVsStripesChart(s));
    expect(countMarks(svg, 'bound')).toBe(1);
    expect(texts(svg)).toContain('outside this range of m: 2-8-8-1: P(N) = 81');
    expect(countMarks(svg, 'points')).toBe(METHODS.length * STRIPES.length + 1);
  });
});

describe('chart 5: radius distributions', () => {
  it('draws attack and certified boxes per cell, μ per cell, and missing panels', async () => {
    const { svg } = await renderBoth(radiusDistributionsChart(instabilityComplete()));
    const n = METHODS.length * STRIPES.length;
    expect(countMarks(svg, 'boxes')).toBe(2 * n);
    expect(countMarks(svg, 'medians')).toBe(2 * n);
    expect(countMarks(svg, 'mu')).toBe(n);
    const partial = radiusDistributionsChart(instabilityPartial());
    const p = await renderBoth(partial);
    expect(countMarks(p.svg, 'boxes')).toBe(2 * (n - 2));
    expect(countMarks(p.svg, 'missing')).toBe(2);
    expect(partial.missing).toBe(2);
  });
});

describe('chart 6: decision boundaries', () => {
  it('draws a raster per panel, the data points and the adversarial examples', async () => {
    const scene = shortcutScene(64, 24);
    const { grid } = scene;
    const m = SCENE_M;
    const chart = decisionBoundaryChart(scene);
    const { svg } = await renderBoth(chart);
    expect(countMarks(svg, 'raster0')).toBe(1);
    expect(countMarks(svg, 'raster1')).toBe(1);
    expect(countMarks(svg, 'points0')).toBe(4);
    expect(countMarks(svg, 'points1')).toBe(4);
    expect(countMarks(svg, 'adversarial0')).toBe(0);
    expect(countMarks(svg, 'adversarial1')).toBe(4);
    expect(countMarks(svg, 'moves1')).toBe(4);
    expect(countMarks(svg, 'stripes0')).toBe(m - 1);
    // The raster is the PNG of the classes: decode it and check a pixel of each stripe.
    const url = /xlink:href="data:image\/png;base64,([^"]+)"/.exec(svg)![1]!;
    const png = Buffer.from(url, 'base64');
    const idat = png.subarray(33 + 8, png.length - 12 - 4);
    const raw = inflateSync(idat);
    const stride = grid.nx * 4 + 1;
    const pixel = (i: number, j: number) => [...raw.subarray(j * stride + 1 + 4 * i, j * stride + 1 + 4 * i + 3)];
    expect(pixel(2, 5)).toEqual([...REGION_COLOURS.zero]); // x_1 ≈ 0.04: stripe 0, class 0
    expect(pixel(24, 5)).toEqual([...REGION_COLOURS.one]); // x_1 ≈ 0.38: stripe 1, class 1
  });
});

describe('summaryCharts', () => {
  it('picks the charts of the run experiment', () => {
    expect(summaryCharts(noncomputabilityComplete()).map((c) => c.id)).toEqual(['success-vs-epsilon', 'phase-diagram']);
    expect(summaryCharts(instabilityComplete()).map((c) => c.id)).toEqual(['dichotomy', 'unstable-vs-stripes', 'radius-distributions']);
  });

  it('every spec is plain JSON that survives a round trip and renders the same', async () => {
    for (const chart of [...summaryCharts(noncomputabilityPartial()), ...summaryCharts(instabilityPartial())]) {
      const copy = JSON.parse(JSON.stringify(chart.spec)) as typeof chart.spec;
      expect(copy).toEqual(chart.spec);
      // Vega numbers gradients with a process-wide counter; everything else must match.
      const norm = (svg: string) => svg.replace(/gradient_\d+/g, 'gradient');
      expect(norm(await renderSvg(copy))).toBe(norm(await renderSvg(chart.spec)));
    }
  });
});

describe('one colour per algorithm and per method', () => {
  /** A copy of a summary keeping only some series, in a new order (another report). */
  function subset(summary: ReturnType<typeof noncomputabilityComplete>, keep: (c: (typeof summary.cells)[number]) => boolean): typeof summary {
    return { ...summary, cells: summary.cells.filter(keep).reverse() };
  }

  it('an algorithm has the same colour in two reports with different algorithm sets and orders', async () => {
    const a = noncomputabilityComplete();
    const b = subset(a, (c) => c.experiment === 'noncomputability' && (c.algorithm === 'hedge' || c.algorithm === 'exact-read'));
    const la = legendColours(await renderSvg(successVsEpsilonChart(a).spec));
    const lb = legendColours(await renderSvg(successVsEpsilonChart(b).spec));
    expect([...la.keys()].sort()).toEqual([...ALGORITHMS].sort());
    expect([...lb.keys()].sort()).toEqual(['exact-read', 'hedge']);
    for (const name of lb.keys()) expect(lb.get(name), name).toBe(la.get(name));
    // Distinct within a chart, and each the owner's colour.
    expect(new Set(la.values()).size).toBe(la.size);
    for (const [name, colour] of la) expect(colour).toBe(seriesColour(name).toUpperCase());
  });

  it('a method has the same colour in every chart of a report and in another report', async () => {
    const a = instabilityComplete();
    const b = subset(a, (c) => c.experiment === 'instability' && c.method !== 'train');
    const legends = await Promise.all([dichotomyChart(a), unstableVsStripesChart(a), dichotomyChart(b), unstableVsStripesChart(b)].map(async (c) => legendColours(await renderSvg(c.spec))));
    const methods = METHODS.map(([m]) => m);
    for (const l of legends.slice(0, 2)) for (const m of methods) expect(l.get(m), m).toBe(seriesColour(m).toUpperCase());
    for (const l of legends.slice(2)) {
      expect(l.has('train')).toBe(false);
      for (const m of methods.slice(1)) expect(l.get(m), m).toBe(seriesColour(m).toUpperCase());
    }
    expect(new Set(methods.map(seriesColour)).size).toBe(methods.length);
  });

  it('a plugin name gets a stable colour of its own', () => {
    expect(seriesColour('my-plugin')).toBe(seriesColour('my-plugin'));
    expect(seriesColour('gd')).toBe('#0072B2');
    expect(seriesColour('my-plugin')).toMatch(/^#[0-9A-F]{6}$/i);
  });
});

describe('no colour has two meanings within a report', () => {
  /**
   * Every chart that `writeReport` draws for one run of `summary`: its summary charts and a
   * decision-boundary chart per scene (what the report adds to them; scanning the summary charts
   * alone missed that chart's class colours).
   */
  async function reportCharts(summary: Summary, scenes: BoundaryScene[] = []): Promise<Chart[]> {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-legends-'));
    try {
      writeRun(join(dir, 'run'), summary, { name: summary.run.name, experiment: summary.run.experiment });
      const res = await writeReport(join(dir, 'run'), { assets: false, boundaries: () => scenes });
      return res.charts.map((c) => c.chart);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Legend label → colour over every chart of one report; throws on a colour two labels share. */
  async function reportLegends(charts: Chart[]): Promise<Map<string, string>> {
    const labelOf = new Map<string, string>();
    const all = new Map<string, string>();
    for (const chart of charts) {
      for (const [label, colour] of legendColours(await renderSvg(chart.spec))) {
        const other = labelOf.get(colour);
        if (other !== undefined && other !== label) throw new Error(`${colour} means both '${other}' and '${label}' (chart ${chart.id})`);
        labelOf.set(colour, label);
        all.set(label, colour);
      }
    }
    return all;
  }

  it('an instability report: each method, each radius bound and each class has a colour of its own', async () => {
    const charts = await reportCharts(instabilityComplete(), [shortcutScene()]);
    expect(charts.map((c) => c.id)).toContain('decision-boundary');
    const legends = await reportLegends(charts);
    expect(legends.get('train')).toBe(seriesColour('train').toUpperCase());
    expect(legends.get('class 0')).toBe(CLASS_COLOURS[0].hex);
    expect(legends.get('class 1')).toBe(CLASS_COLOURS[1].hex);
    expect(legends.get('attack (upper bound)')).toBe(BOUND_COLOURS.attack.hex);
    expect(legends.get('certified (lower bound)')).toBe(BOUND_COLOURS.certified.hex);
  });

  it('an analyse report: cells and bounds do not share a colour', async () => {
    const s = analyseSummary([
      analyseCell({ norm: 'linf' }, 20, 18, [[0.01, 16, 18], [0.05, 6, 15]]),
      analyseCell({ norm: 'l2' }, 20, 18, [[0.01, 18, 18], [0.05, 10, 12]]),
    ]);
    const legends = await reportLegends(await reportCharts(s));
    expect(legends.get('certified (lower bound)')).toBe(BOUND_COLOURS.certified.hex);
    expect(legends.size).toBe(4);
  });

  it('no fixed mark colour of a chart (reference lines, shaded regions, outlines) is a series colour', () => {
    // The colours a series can get (black, the last Okabe–Ito colour, is no series' and draws ticks).
    const series = new Set([...Object.values(SERIES_COLOURS), ...EXTRA_COLOURS].map((c) => c.toUpperCase()));
    const s = analyseSummary([analyseCell({ norm: 'linf' }, 20, 18, [[0.01, 16, 18], [0.05, 6, 15]])]);
    const fixed: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        const mark = (v as { mark?: unknown }).mark;
        if (mark !== null && typeof mark === 'object') {
          for (const k of ['color', 'fill', 'stroke'] as const) {
            const c = (mark as Record<string, unknown>)[k];
            if (typeof c === 'string') fixed.push(c.toUpperCase());
          }
        }
        Object.values(v).forEach(walk);
      }
    };
    const charts = [...summaryCharts(instabilityComplete()), ...summaryCharts(noncomputabilityComplete()), ...summaryCharts(s), decisionBoundaryChart(shortcutScene())];
    for (const chart of charts) walk(chart.spec);
    expect(fixed.length).toBeGreaterThan(5);
    expect(fixed.filter((c) => series.has(c))).toEqual([]);
  });

  it('the bound colours are none of the series colours, and the caption names them', () => {
    const series = new Set([...OKABE_ITO, ...Object.values(SERIES_COLOURS), ...EXTRA_COLOURS].map((c) => c.toUpperCase()));
    for (const b of Object.values(BOUND_COLOURS)) expect(series.has(b.hex.toUpperCase()), b.hex).toBe(false);
    expect(BOUND_COLOURS.attack.hex).not.toBe(BOUND_COLOURS.certified.hex);
    const caption = radiusDistributionsChart(instabilityComplete()).caption;
    expect(caption).toContain(`upper bound, ${BOUND_COLOURS.attack.name}`);
    expect(caption).toContain(`lower bound, ${BOUND_COLOURS.certified.name}`);
  });

  it('the class colours are none of the series or bound colours, and the caption names them', () => {
    const taken = new Set([...OKABE_ITO, ...Object.values(SERIES_COLOURS), ...EXTRA_COLOURS, ...Object.values(BOUND_COLOURS).map((b) => b.hex)].map((c) => c.toUpperCase()));
    for (const c of CLASS_COLOURS) expect(taken.has(c.hex.toUpperCase()), c.hex).toBe(false);
    expect(CLASS_COLOURS[0].hex).not.toBe(CLASS_COLOURS[1].hex);
    expect(REGION_COLOURS.zero).toEqual(CLASS_COLOURS[0].region);
    expect(REGION_COLOURS.one).toEqual(CLASS_COLOURS[1].region);
    const caption = decisionBoundaryChart(shortcutScene()).caption;
    expect(caption).toContain(`${CLASS_COLOURS[0].name} 0, ${CLASS_COLOURS[1].name} 1`);
    expect(caption).toContain(`${CLASS_COLOURS[0].pointName} class 0 and ${CLASS_COLOURS[1].pointName} class 1`);
  });
});
