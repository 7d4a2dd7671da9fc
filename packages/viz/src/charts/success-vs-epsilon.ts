/**
 * Chart 1 (SPEC §6): worst-case success probability min(p̂⁺, p̂⁻) against the accuracy ε, one
 * colour per algorithm and one panel per (K, readBits), with its Bonferroni interval drawn as a
 * bar, a line at 1/2 and a line at the breakdown epsilon ε_B. Result II is the jump at ε_B: below
 * it no algorithm can beat 1/2 on both inputs of the pair.
 */
import { headlineOf } from '@paradox/orchestrator/summary';
import { hasData, noncomputabilityCells, leftOutMeaning, round3, status } from './cells.js';
import { chartConfig, REFERENCE_COLOUR, seriesColourScale, VEGA_LITE_SCHEMA } from './style.js';
import type { Chart, ChartSpec, Summary } from './types.js';

/** Which probability chart 1 plots. */
export type SuccessMeasure = 'min' | 'plus' | 'minus';

/** Options for `successVsEpsilonChart`. */
export interface SuccessVsEpsilonOptions {
  /** `min` (default): min(p̂⁺, p̂⁻), the quantity Result II bounds; `plus`/`minus`: one input. */
  measure?: SuccessMeasure;
  /** Panels per row (default 3). */
  columns?: number;
}

/**
 * What chart 1 shows in this run, checked in its own numbers (the shared headline): whether any
 * interval with the sign hidden lies above 1/2, and where success rises above 1/2.
 */
export function successFinding(summary: Summary): string {
  const n = headlineOf(summary).noncomputability;
  if (!n || n.algorithms.length === 0) return 'No cell has finished trials yet.';
  const parts: string[] = [];
  if (n.checked === 0) parts.push('No panel of this run hides the sign below ε_B (readBits ≤ K), so the 1/2 line bounds nothing here.');
  else if (n.violations > 0) parts.push(`In this run ${n.violations} interval${n.violations === 1 ? '' : 's'} of min(p̂⁺, p̂⁻) with the sign hidden lie above 1/2: Theorem H says this cannot happen (please report it).`);
  else if (n.hidden) parts.push(`In this run every interval of min(p̂⁺, p̂⁻) with the sign hidden reaches down to 1/2 or below (largest: ${n.hidden.algorithm}, ${round3(n.hidden.p)}).`);
  if (n.revealed && n.revealed.ci[0] > 0.5) parts.push(`Reading more than K bits, ${n.revealed.algorithm} reaches ${round3(n.revealed.p)} below ε_B (readBits = ${n.revealed.readBits}, K = ${n.revealed.K}).`);
  if (n.above && n.above.ci[0] > 0.5) parts.push(`Right of ε_B with the sign hidden, ${n.above.algorithm} reaches ${round3(n.above.p)}.`);
  return parts.join(' ');
}

/** Build chart 1 from a noncomputability summary. */
export function successVsEpsilonChart(summary: Summary, options: SuccessVsEpsilonOptions = {}): Chart {
  const measure = options.measure ?? 'min';
  const rows: Record<string, unknown>[] = [];
  let missing = 0;
  const panels = new Map<string, { epsB: number }>();
  for (const cell of noncomputabilityCells(summary)) {
    const panel = `K = ${cell.K}, readBits = ${cell.readBits}`;
    if (!panels.has(panel)) panels.set(panel, { epsB: cell.epsB });
    if (!hasData(cell)) {
      missing++;
      continue;
    }
    for (const row of cell.eps) {
      const est = measure === 'min' ? row.min : measure === 'plus' ? { p: row.plus.p, ci: row.plus.cp } : { p: row.minus.p, ci: row.minus.cp };
      rows.push({
        kind: 'point',
        panel,
        algorithm: cell.algorithm,
        eps: row.eps,
        p: est.p,
        lo: est.ci[0],
        hi: est.ci[1],
        trials: cell.trials,
        status: status(cell, summary),
      });
    }
  }
  for (const [panel, { epsB }] of panels) {
    rows.push({ kind: 'half', panel, y: 0.5 });
    rows.push({ kind: 'epsB', panel, epsB, y: 0.75, label: `ε_B = ${round3(epsB)}` });
  }
  const yTitle =
    measure === 'min' ? 'success probability min(p̂⁺, p̂⁻)' : `success probability p̂${measure === 'plus' ? '⁺' : '⁻'}`;
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const x = { field: 'eps', type: 'quantitative', title: 'accuracy ε (max error on unit probes)', scale: { zero: true } };
  const y = { field: 'p', type: 'quantitative', title: yTitle, scale: { domain: [0, 1] } };
  const colourScale = seriesColourScale(noncomputabilityCells(summary).map((c) => c.algorithm));
  const colour = { field: 'algorithm', type: 'nominal', title: 'algorithm', scale: colourScale };
  const spec: ChartSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Success probability against ε',
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: 'hard pair level K and reading precision', sort: [...panels.keys()] },
    columns: options.columns ?? 3,
    spec: {
      width: 260,
      height: 200,
      layer: [
        {
          name: 'half',
          transform: only('half'),
          mark: { type: 'rule', strokeDash: [6, 3], color: REFERENCE_COLOUR },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        {
          name: 'epsB',
          transform: only('epsB'),
          mark: { type: 'rule', strokeDash: [2, 2], color: REFERENCE_COLOUR, strokeWidth: 1.5 },
          encoding: { x: { field: 'epsB', type: 'quantitative' } },
        },
        {
          name: 'epsBLabel',
          transform: only('epsB'),
          mark: { type: 'text', align: 'left', dx: 3, color: REFERENCE_COLOUR, fontSize: 10 },
          encoding: { x: { field: 'epsB', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
        },
        {
          name: 'intervals',
          transform: only('point'),
          mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 },
          encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: colour },
        },
        {
          name: 'lines',
          transform: only('point'),
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: { x, y, color: colour },
        },
        {
          name: 'points',
          transform: only('point'),
          mark: { type: 'point', size: 45, strokeWidth: 1.5 },
          encoding: {
            x,
            y,
            color: colour,
            fill: { condition: { test: "datum.status !== 'left out'", field: 'algorithm', type: 'nominal', scale: colourScale }, value: 'white' },
            shape: {
              field: 'status',
              type: 'nominal',
              title: 'cell',
              scale: { domain: ['complete', 'unfinished', 'left out'], range: ['circle', 'circle', 'square'] },
              legend: null,
            },
            tooltip: [
              { field: 'algorithm' },
              { field: 'eps', title: 'ε' },
              { field: 'p', format: '.3f' },
              { field: 'lo', format: '.3f', title: 'interval low' },
              { field: 'hi', format: '.3f', title: 'interval high' },
              { field: 'trials' },
            ],
          },
        },
      ],
    },
    config: chartConfig(),
  };
  return {
    id: 'success-vs-epsilon',
    title: 'Success probability against ε',
    caption: `Each point is one algorithm at one ε, with its confidence interval as a vertical bar. Left of the dotted line ε_B no network is ε-close to both minimisers of the pair, so where readBits ≤ K (the sign hidden) Theorem H bounds min(p⁺, p⁻) by the dashed line 1/2; right of it success can jump to 1. ${successFinding(summary)}${rows.some((r) => r.status === 'left out') ? ` Hollow squares are ${leftOutMeaning(summary)}.` : ''}${missing > 0 ? ` ${missing} cell${missing === 1 ? ' has' : 's have'} no finished trials and ${missing === 1 ? 'is' : 'are'} not drawn.` : ''}`,
    missing,
    spec,
  };
}
