/**
 * Chart 4 (SPEC §6): share of unstable data points against the number of stripes m, one series per
 * method and architecture, with a vertical line at m − 1 = P(N) for each fixed architecture. F3:
 * to the right of that line every accurate network of that architecture is unstable at radius μ at
 * ⌈(m − 1 − P(N))/2⌉ or more data points.
 */
import { archLabel, distinct, hasData, instabilityCells, round3, leftOutMeaning, seriesLabel, status } from './cells.js';
import { chartConfig, REFERENCE_COLOUR, seriesColourScale, VEGA_LITE_SCHEMA } from './style.js';
import type { Chart, ChartSpec, Summary } from './types.js';

/** A share at or below this reads as "near 0" in the caption. */
export const NEAR_ZERO = 0.05;

/** What chart 4 shows in this run: which series stay near 0 at every m, and how high the others reach. */
export function stripesFinding(summary: Summary): string {
  const by = new Map<string, number>();
  for (const cell of instabilityCells(summary)) {
    if (!hasData(cell)) continue;
    const key = seriesLabel(cell);
    by.set(key, Math.max(by.get(key) ?? 0, cell.unstableShare.mean));
  }
  if (by.size === 0) return 'No cell has finished trials yet.';
  const low = [...by].filter(([, v]) => v <= NEAR_ZERO).map(([k]) => k);
  const high = [...by].filter(([, v]) => v > NEAR_ZERO);
  const parts: string[] = [];
  if (low.length > 0) parts.push(`In this run ${low.join(', ')} ${low.length === 1 ? 'stays' : 'stay'} at or below ${NEAR_ZERO} at every m.`);
  if (high.length > 0) parts.push(`${low.length > 0 ? 'Largest' : 'In this run the largest'} mean share${high.length === 1 ? '' : 's'}: ${high.map(([k, v]) => `${k} ${round3(v)}`).join(', ')}.`);
  return parts.join(' ');
}

/** Build chart 4 from an instability summary. */
export function unstableVsStripesChart(summary: Summary): Chart {
  const rows: Record<string, unknown>[] = [];
  let missing = 0;
  const cells = instabilityCells(summary);
  for (const cell of cells) {
    if (!hasData(cell)) {
      missing++;
      continue;
    }
    rows.push({
      kind: 'cell',
      series: seriesLabel(cell),
      method: cell.method,
      arch: archLabel(cell.arch),
      m: cell.m,
      share: cell.unstableShare.mean,
      lo: cell.unstableShare.q25,
      hi: cell.unstableShare.q75,
      trials: cell.trials,
      status: status(cell, summary),
    });
  }
  // One reference line per fixed architecture: P(N) is a property of the architecture, so it is
  // read from the spec's arch, not from trial data, and drawn even when the run is partial.
  const archs = distinct(cells.filter((c) => c.arch !== null).map((c) => (c.arch as number[]).join('-')));
  const ms = cells.filter(hasData).map((c) => c.m);
  const lo = Math.min(...ms);
  const hi = Math.max(...ms);
  const beyond: string[] = [];
  let drawn = 0;
  for (const a of archs) {
    const arch = a.split('-').map(Number);
    let P = 1;
    for (let l = 1; l < arch.length - 1; l++) P *= arch[l]! + 1;
    // A line far outside the measured m would squash the data; name it in a note instead.
    if (ms.length > 0 && (P + 1 > hi + 1 || P + 1 < lo - 1)) {
      beyond.push(`${archLabel(arch)}: P(N) = ${round3(P)}`);
      continue;
    }
    rows.push({ kind: 'bound', m: P + 1, arch: archLabel(arch), y: 1 - 0.07 * drawn, label: `m − 1 = P(N) = ${round3(P)} (${archLabel(arch)})` });
    drawn++;
  }
  if (beyond.length > 0) {
    rows.push({ kind: 'note', m: lo, y: 1 - 0.07 * drawn, label: `outside this range of m: ${beyond.join('; ')}` });
  }
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const x = { field: 'm', type: 'quantitative', title: 'number of stripes m', scale: { zero: false, nice: false }, axis: { format: 'd', tickMinStep: 1 } };
  // Colour is the method (the same colour as in every other chart); the architecture is the dash
  // of the line and the shape of the point, so two architectures of one method stay apart.
  const colour = { field: 'method', type: 'nominal', title: 'method', scale: seriesColourScale(cells.map((c) => c.method)) };
  const archEnc = (channel: 'strokeDash' | 'shape') => ({ field: 'arch', type: 'nominal', title: 'architecture', ...(channel === 'strokeDash' ? { legend: null } : {}) });
  const spec: ChartSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Unstable data points against the number of stripes',
    data: { values: rows },
    width: 420,
    height: 300,
    layer: [
      {
        name: 'bound',
        transform: only('bound'),
        mark: { type: 'rule', strokeDash: [6, 3], color: REFERENCE_COLOUR, strokeWidth: 1.5 },
        encoding: { x },
      },
      {
        name: 'boundLabel',
        transform: only('bound'),
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10, color: REFERENCE_COLOUR },
        encoding: { x, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        name: 'note',
        transform: only('note'),
        mark: { type: 'text', align: 'left', baseline: 'top', dy: 2, fontSize: 10, color: REFERENCE_COLOUR },
        encoding: { x, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        name: 'intervals',
        transform: only('cell'),
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 },
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: colour },
      },
      {
        name: 'lines',
        transform: only('cell'),
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'share', type: 'quantitative' }, color: colour, strokeDash: archEnc('strokeDash'), detail: { field: 'series' } },
      },
      {
        name: 'points',
        transform: only('cell'),
        mark: { type: 'point', size: 50, strokeWidth: 1.5, filled: true },
        encoding: {
          x,
          y: {
            field: 'share',
            type: 'quantitative',
            title: 'share unstable at radius μ',
            scale: { domain: [0, 1] },
          },
          color: colour,
          shape: archEnc('shape'),
          opacity: { condition: { test: "datum.status === 'left out'", value: 0.45 }, value: 1 },
          tooltip: [
            { field: 'series' },
            { field: 'm', title: 'stripes m' },
            { field: 'share', format: '.3f', title: 'mean share unstable' },
            { field: 'lo', format: '.3f', title: 'lower quartile' },
            { field: 'hi', format: '.3f', title: 'upper quartile' },
            { field: 'trials' },
          ],
        },
      },
    ],
    config: chartConfig(),
  };
  return {
    id: 'unstable-vs-stripes',
    title: 'Instability grows with the number of stripes',
    caption: `Mean share of data points (T ∪ V) that an attack moves to a wrong answer within radius μ, with the interquartile range over trials as a bar. Dashed lines mark m − 1 = P(N) for each fixed architecture: to their right F3 forces every accurate network of that architecture to be unstable at some data point. ${stripesFinding(summary)}${rows.some((r) => r['status'] === 'left out') ? ` Faded points are ${leftOutMeaning(summary)}.` : ''}`,
    missing,
    spec,
  };
}
