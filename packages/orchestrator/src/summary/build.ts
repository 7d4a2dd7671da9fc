/**
 * Building and writing summary.json and summary.csv from the run store. Every number comes from
 * exact integer counts or from per-trial columns read in trial order; nothing depends on timing,
 * batching or worker identity, so the files are byte-identical however the run was scheduled.
 */
import { writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentDefinition } from '../experiments/types.js';
import type { Cell, NormalisedSpec } from '../spec/types.js';
import { clopperPearson, hoeffding, wilson } from '../stats/intervals.js';
import { confidenceSequence } from '../stats/sequential.js';
import type { StopReason } from '../stats/stopping.js';
import type { RunStore } from '../store/db.js';
import { headlineOf } from './headline.js';
import type { CellSummary, Proportion, Summary } from './types.js';

/** A binomial proportion with every interval at `confidence`. */
export function proportion(k: number, n: number, confidence: number): Proportion {
  return {
    k,
    n,
    p: n === 0 ? 0 : k / n,
    cp: clopperPearson(k, n, confidence),
    wilson: wilson(k, n, confidence),
    hoeffding: hoeffding(k, n, confidence),
    cs: confidenceSequence(k, n, confidence),
  };
}

/** What the scheduler knows about a cell when the summary is written. */
export interface CellOutcome {
  cell: Cell;
  /** Trials counted: the stop point when stopped, else the contiguous prefix of stored batches. */
  trials: number;
  complete: boolean;
  stopReason: StopReason | null;
  counts: Record<string, number>;
  constants: Record<string, number>;
  sprt?: Record<string, 'H0' | 'H1' | 'undecided'>;
}

/** Build the summary document. */
export function buildSummary(spec: NormalisedSpec, specHash: string, exp: ExperimentDefinition, store: RunStore, outcomes: CellOutcome[]): Summary {
  const cells: CellSummary[] = outcomes.map((o) => {
    const s = exp.summarise({
      cell: o.cell,
      seed: spec.seed,
      trials: o.trials,
      complete: o.complete,
      counts: o.counts,
      constants: o.constants,
      columns: (name) => store.column(o.cell.index, name, o.trials),
      confidence: spec.confidence,
      proportion: (k, n) => proportion(k, n, spec.confidence),
    });
    s.stopReason = o.stopReason;
    if (o.sprt) s.sprt = o.sprt;
    return s;
  });
  const cellsComplete = outcomes.filter((o) => o.complete).length;
  const summary: Summary = {
    format: 'paradox-summary/1',
    run: {
      name: spec.name,
      experiment: spec.experiment,
      specHash,
      seed: spec.seed,
      confidence: spec.confidence,
      complete: cellsComplete === outcomes.length,
      cellsTotal: outcomes.length,
      cellsComplete,
      trialsDone: outcomes.reduce((a, o) => a + o.trials, 0),
      minTrials: spec.stop.rule === 'fixed' ? spec.stop.trials : spec.stop.minTrials,
    },
    cells,
  };
  summary.headline = headlineOf(summary);
  return summary;
}

type Flat = Record<string, string | number | boolean | null>;

function isInterval(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
}

function flatten(prefix: string, v: unknown, out: Flat): void {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    out[prefix] = v;
  } else if (isInterval(v)) {
    out[`${prefix}.lo`] = v[0];
    out[`${prefix}.hi`] = v[1];
  } else if (Array.isArray(v)) {
    out[prefix] = JSON.stringify(v);
  } else if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  }
}

function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * summary.csv: one row per cell and ε for noncomputability (the cell's scalars repeated), one row
 * per cell and radius for instability; nested fields flattened with dots, intervals as .lo/.hi.
 */
export function summaryCsv(summary: Summary): string {
  const rows: Flat[] = [];
  summary.cells.forEach((c, index) => {
    const base: Flat = { cell: index };
    const { params: _params, ...rest } = c as CellSummary & { params: unknown };
    const perRow = c.experiment === 'noncomputability' ? 'eps' : 'radii';
    const list = (rest as Record<string, unknown>)[perRow] as unknown[];
    const scalar: Record<string, unknown> = { ...rest };
    delete scalar[perRow];
    flatten('', scalar, base);
    if (!Array.isArray(list) || list.length === 0) rows.push(base);
    else for (const item of list) {
      const row: Flat = { ...base };
      flatten(perRow === 'eps' ? 'eps' : 'radius', item, row);
      rows.push(row);
    }
  });
  const header: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) {
    seen.add(k);
    header.push(k);
  }
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) lines.push(header.map((h) => csvField(r[h])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Write a file atomically (temp file + rename), so a kill never leaves half a summary. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Write summary.json and summary.csv into the run directory. */
export function writeSummary(dir: string, summary: Summary): string {
  const path = join(dir, 'summary.json');
  writeAtomic(path, `${JSON.stringify(summary, null, 2)}\n`);
  writeAtomic(join(dir, 'summary.csv'), summaryCsv(summary));
  return path;
}
