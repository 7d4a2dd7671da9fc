/**
 * `report.html`: one self-contained page per run or per set of runs (the demo writes two). Charts
 * are inlined as SVG data URLs (each an isolated document, so Vega's element ids cannot collide),
 * styles and the one small script are inline, and nothing is fetched: the page reads the same from
 * a USB stick as from a server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Core } from '@paradox/core-wasm';
import { RUN_FILES } from '@paradox/orchestrator/run-dir';
import { boundaryScene, cellBoundaryTrial } from '../boundary/trial.js';
import { hasData, instabilityCells } from '../charts/cells.js';
import { decisionBoundaryChart, type BoundaryScene } from '../charts/decision-boundary.js';
import { summaryCharts } from '../charts/index.js';
import type { Chart } from '../charts/types.js';
import { svgToPngAsync, type PngOptions } from '../render/png.js';
import { renderSvg } from '../render/svg.js';
import { headlineOf, TERMS } from '@paradox/orchestrator/summary';
import { analyseHeadline } from './analyse-section.js';
import { headlineCards, verdicts } from './headline.js';
import { esc, facts, num, REPORT_CSS } from './html.js';
import { loadRuns, ReportError, runLabel, type LoadedRun } from './load.js';
import { cellTable } from './tables.js';
import { timingFacts } from './timings.js';

/** Options for `writeReport`. */
export interface ReportOptions {
  /**
   * Path of the HTML file. Default: `report.html` inside the target directory (required when the
   * target is a list of directories).
   */
  out?: string;
  /** Page title. Default: the run name, or `paradox report` for several runs. */
  title?: string;
  /**
   * Also write every chart beside the report as `charts/<run>-<chart>.vl.json` (the editable
   * Vega-Lite spec), `.svg` and `.png` (default true).
   */
  assets?: boolean;
  /** PNG options for the chart files (ignored when `assets` is false). */
  png?: PngOptions;
  /**
   * Decision-boundary scenes (chart 6) for a run. Default: for an instability run, one trial of
   * its first cell that trained a fixed network (else its first cell) replayed in core-wasm with
   * ψ_T beside it (`defaultBoundaries`); none for noncomputability. `false`: no boundary charts.
   */
  boundaries?: false | ((run: LoadedRun) => Promise<BoundaryScene[]> | BoundaryScene[]);
  /** Extra facts for the environment and timings section (e.g. the CLI's wall time), per run. */
  environment?: (run: LoadedRun) => Record<string, unknown> | undefined;
}

/** What `writeReport` wrote. */
export interface ReportResult {
  /** Absolute path of report.html. */
  path: string;
  /** Runs covered. */
  runs: LoadedRun[];
  /** Charts in the page, in order (with their run directory). */
  charts: Array<{ run: string; chart: Chart }>;
  /** Chart files written beside the report (absolute paths). */
  assets: string[];
}

interface RenderedChart {
  chart: Chart;
  svg: string;
  slug: string;
}

/** A file-name-safe slug. */
function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'run'
  );
}

function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

function figure(r: RenderedChart, anchor: string): string {
  const missing =
    r.chart.missing > 0
      ? ` <span class="missing">${r.chart.missing} cell${r.chart.missing === 1 ? ' has' : 's have'} no finished trials yet and ${r.chart.missing === 1 ? 'is' : 'are'} shown as missing, not as zero.</span>`
      : '';
  return `<figure class="chart" id="${esc(anchor)}" data-chart="${esc(r.chart.id)}">
<h3>${esc(r.chart.title)}</h3>
<img src="${svgDataUrl(r.svg)}" alt="${esc(`${r.chart.title}. ${r.chart.caption}`)}">
<figcaption>${esc(r.chart.caption)}${missing}</figcaption>
</figure>`;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return num(v);
  if (typeof v === 'string') return esc(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return `<code>${esc(JSON.stringify(v))}</code>`;
}

function runSection(run: LoadedRun, rendered: RenderedChart[], extraEnv: Record<string, unknown> | undefined, index: number, notes: string[]): string {
  const s = run.summary;
  const id = `run-${index}`;
  const complete = s.run.complete;
  const headline = headlineOf(s);
  const heads = headlineCards(headline);
  const termName = (id: string): string => TERMS.find((t) => t.id === id)?.name ?? id;
  const termLinks = (ids: string[] | undefined): string =>
    ids && ids.length > 0 ? `<br><span class="terms">terms: ${ids.map((id) => `<a href="#term-${esc(id)}">${esc(termName(id))}</a>`).join(', ')}</span>` : '';
  const verdictHtml = verdicts(headline)
    .map((v) => `<p class="verdict">${esc(v)}</p>`)
    .join('\n');
  const headHtml = s.run.experiment === 'analyse' ? analyseHeadline(s) : s.run.experiment === 'verify' ? verdictHtml : heads.length
    ? `${verdictHtml}<ul class="headline">${heads
        .map(
          (h) =>
            `<li><span class="label">${esc(h.label)}</span><span class="value">${esc(h.value)}</span><span class="theory">${esc(h.theory)}</span>${
              h.where ? `<br><span class="muted">${esc(h.where)}</span>` : ''
            }${termLinks(h.terms)}</li>`,
        )
        .join('')}</ul>`
    : '<p class="muted">No finished trials yet: nothing to summarise.</p>';
  const env = { ...(extraEnv ?? {}) };
  const envHtml = Object.keys(env).length
    ? facts(Object.entries(env).map(([k, v]) => [k, describeValue(v)]))
    : '<p class="muted">No environment or timings recorded.</p>';
  const spec =
    run.spec === undefined
      ? `<p class="muted">No ${RUN_FILES.spec} in the run directory.</p>`
      : `<p class="muted">From ${esc(run.specSource ?? 'the run directory')}.</p><pre class="spec">${esc(typeof run.spec === 'string' ? run.spec : JSON.stringify(run.spec, null, 2))}</pre>`;
  return `<section class="run" id="${id}" data-experiment="${esc(s.run.experiment)}">
<h2>${esc(runLabel(run))} <span class="badge ${complete ? 'complete' : 'partial'}">${complete ? 'complete' : 'partial'}</span></h2>
${facts([
  ['experiment', esc(s.run.experiment)],
  ['cells finished', `${num(s.run.cellsComplete)} of ${num(s.run.cellsTotal)}`],
  ['trials done', num(s.run.trialsDone)],
  ['seed', esc(String(s.run.seed))],
  ['confidence level', num(s.run.confidence)],
  ['spec hash', `<code>${esc(s.run.specHash)}</code>`],
  ['directory', `<code>${esc(run.dir)}</code>`],
])}
${complete ? '' : '<p class="missing"><strong>Partial run.</strong> Cells without finished trials are drawn as missing; resume it with <code>paradox resume DIR</code>.</p>'}
<h3>Headline numbers</h3>
${headHtml}
${rendered.map((r, k) => figure(r, `${id}-chart-${k}`)).join('\n')}
${notes.map((n) => `<p class="missing">${esc(n)}</p>`).join('\n')}
<h3>Cell summaries</h3>
${cellTable(s)}
<h3>Environment and timings</h3>
${envHtml}
<h3>Spec</h3>
${spec}
</section>`;
}

/** A cell's axes as a readable list, `method train, hidden [4], m 8` (not the raw JSON key). */
export function cellParams(cell: { axes: Record<string, unknown>; params: Record<string, unknown>; method?: string }): string {
  const entries = Object.entries(cell.axes);
  if (cell.method !== undefined && !entries.some(([k]) => k === 'method')) entries.unshift(['method', cell.method]);
  const show = (v: unknown): string => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));
  return entries.map(([k, v]) => `${k} ${show(cell.params[k] ?? v)}`).join(', ');
}

/** The "Terms" block: every term the headline and captions use, defined (anchors `term-<id>`). */
function termsSection(): string {
  return `<section class="terms" id="terms">
<h2>Terms</h2>
<dl>${TERMS.map((t) => `<dt id="term-${esc(t.id)}">${esc(t.name)}</dt><dd>${esc(t.text)} <span class="muted">(docs/theory.md §${esc(t.theory)}; <code>paradox explain ${esc(t.aliases[0] ?? t.id)}</code>)</span></dd>`).join('\n')}</dl>
</section>`;
}

let corePromise: Promise<Core> | undefined;

/**
 * The default decision-boundary scenes of a run: for an instability run, one trial of its first
 * cell with data whose method trains a fixed network (else its first cell with data), replayed in
 * core-wasm with the run's seed; none for a noncomputability run.
 */
export async function defaultBoundaries(run: LoadedRun): Promise<BoundaryScene[]> {
  const cells = instabilityCells(run.summary).filter(hasData);
  // The theorem is about accurate fixed networks, so show one: the fixed-network cell with the
  // largest share of accurate trials, and the first of a few replayed trials that is accurate.
  const fixed = cells.filter((c) => c.method === 'train' || c.method === 'adversarial-train').sort((a, b) => b.accurate.p - a.accurate.p);
  const cell = fixed[0] ?? cells[0];
  if (!cell) return [];
  corePromise ??= import('@paradox/core-wasm').then((m) => m.loadCore());
  const core = await corePromise;
  const tries = 8;
  let trial = cellBoundaryTrial(core, cell, run.summary.run.seed, { trial: 0 });
  for (let t = 1; t < tries && !(trial.network.accuracy.train === 1 && trial.network.accuracy.val === 1); t++) {
    trial = cellBoundaryTrial(core, cell, run.summary.run.seed, { trial: t });
  }
  const accurate = trial.network.accuracy.train === 1 && trial.network.accuracy.val === 1;
  const why = accurate
    ? `the first of ${tries} replayed trials whose ${cell.method} network is correct on all of T ∪ V`
    : `none of ${tries} replayed trials gave an accurate network; the last is shown`;
  return [
    boundaryScene(
      trial,
      `Cell ${cellParams(cell)}, replayed with the run's seed on a stream of its own (an example of the cell, not one of the run's own trials): ${why}.`,
    ),
  ];
}

/** Render the full HTML page for loaded runs and their rendered charts. */
function page(title: string, sections: string[], runs: LoadedRun[]): string {
  const toc =
    runs.length > 1
      ? `<nav class="toc"><h2>Runs</h2><ul>${runs
          .map((r, i) => `<li><a href="#run-${i}">${esc(runLabel(r))}</a> — ${esc(r.summary.run.experiment)}${r.summary.run.complete ? '' : ' (partial)'}</li>`)
          .join('')}</ul></nav>`
      : '';
  // The script only reports images that failed to decode (so a broken chart is an error in the
  // console, not a silent gap) and marks the page ready for automated viewers.
  const script = `(function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('figure.chart img'));
  Promise.all(imgs.map(function (img) { return img.decode().catch(function () { console.error('chart failed to load: ' + img.alt.slice(0, 80)); img.closest('figure').classList.add('broken'); }); }))
    .then(function () { document.documentElement.setAttribute('data-ready', 'true'); });
})();`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header class="report">
<h1>${esc(title)}</h1>
<p class="muted">Bastounis, Hansen &amp; Vlačić, <em>The mathematics of adversarial attacks in AI</em> (arXiv 2109.06098), as runnable experiments. Generated by paradox on ${esc(new Date().toISOString())}. To train networks on the stripes problem yourself and watch their decision boundaries and adversarial examples, run <code>paradox explore</code>. Every symbol on this page is defined under <a href="#terms">Terms</a>.</p>
</header>
${toc}
${sections.join('\n')}
${termsSection()}
</main>
<script>${script}</script>
</body>
</html>
`;
}

/**
 * Write `report.html` for a run directory, a folder of run directories (the demo) or a list of
 * run directories. Charts missing from partial runs are shown as missing.
 */
export async function writeReport(target: string | string[], options: ReportOptions = {}): Promise<ReportResult> {
  const runs = loadRuns(target);
  if (options.out === undefined && Array.isArray(target)) {
    throw new ReportError('writeReport: options.out is required when the target is a list of run directories');
  }
  const out = resolve(options.out ?? join(target as string, RUN_FILES.report));
  const assetsDir = join(dirname(out), 'charts');
  const writeAssets = options.assets ?? true;
  const assets: string[] = [];
  const charts: ReportResult['charts'] = [];
  const sections: string[] = [];
  // PNGs are rasterised on libuv's thread pool while this thread renders the next chart's SVG;
  // each is written when ready, and all are awaited before the page is written.
  const pngs: Array<Promise<void>> = [];
  try {
    for (const [i, run] of runs.entries()) {
      const list = summaryCharts(run.summary);
      const notes: string[] = [];
      let scenes: BoundaryScene[] = [];
      try {
        scenes = options.boundaries === false ? [] : await (options.boundaries ?? defaultBoundaries)(run);
      } catch (e) {
        // A boundary picture is an illustration: if its trial cannot run, say so and keep the report.
        notes.push(`The decision-boundary chart could not be drawn: ${(e as Error).message}`);
      }
      for (const scene of scenes) list.push(decisionBoundaryChart(scene));
      const rendered: RenderedChart[] = [];
      const runSlug = runs.length > 1 ? `${i + 1}-${slug(runLabel(run))}` : slug(runLabel(run));
      for (const [k, chart] of list.entries()) {
        const svg = await renderSvg(chart.spec);
        const name = `${runSlug}-${chart.id}${list.filter((c) => c.id === chart.id).length > 1 ? `-${k}` : ''}`;
        rendered.push({ chart, svg, slug: name });
        charts.push({ run: run.dir, chart });
        if (writeAssets) {
          mkdirSync(assetsDir, { recursive: true });
          const base = join(assetsDir, name);
          writeFileSync(`${base}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`);
          writeFileSync(`${base}.svg`, svg);
          const png = svgToPngAsync(svg, options.png).then((bytes) => writeFileSync(`${base}.png`, bytes));
          // Marked handled at once (it is awaited below): an early failure must not be reported
          // as unhandled while later charts render.
          png.catch(() => {});
          pngs.push(png);
          assets.push(`${base}.vl.json`, `${base}.svg`, `${base}.png`);
        }
      }
      const env = { ...(await timingFacts(run.dir)), ...(options.environment?.(run) ?? {}) };
      sections.push(runSection(run, rendered, env, i, notes));
    }
  } finally {
    // Also when a chart failed: no PNG is still being written after this returns or throws.
    await Promise.allSettled(pngs);
  }
  await Promise.all(pngs);
  const title = options.title ?? (runs.length === 1 ? `paradox report: ${runLabel(runs[0]!)}` : 'paradox report');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, page(title, sections, runs));
  return { path: out, runs, charts, assets };
}
