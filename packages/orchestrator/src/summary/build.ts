/**
 * Building and writing summary.json and summary.csv from the run store. Every number comes from
 * exact integer counts or from per-trial columns read in trial order; nothing depends on timing,
 * batching or worker identity, so the files are byte-identical however the run was scheduled.
 */
import { join } from 'node:path';
import type { ExperimentDefinition } from '../experiments/types.js';
import { RUN_FILES, writeFileAtomic } from '../run-dir/files.js';
import { mapFileParams, storedFileValue } from '../spec/file-paths.js';
import type { Cell, NormalisedSpec } from '../spec/types.js';
import { clopperPearson, hoeffding, wilson } from '../stats/intervals.js';
import { confidenceSequence } from '../stats/sequential.js';
import type { StopReason } from '../stats/stopping.js';
import type { RunStore } from '../store/db.js';
import { headlineOf } from './headline.js';
import { summaryCsv } from './table.js';
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
  sprt?: Record<string, 'H0' | 'H1' | 'undecided'>;
}

/**
 * Build the summary document. A file a cell names (a plugin, a network or data file: the
 * experiment's `fileParams`, in its `axes`, `params` and a top-level field of that name) is
 * written relative to `specDir`, the directory of the spec file that named it (default: the run
 * directory), as its user wrote it — never by absolute path: the same project run in two places, or
 * into another run directory, gives the same bytes (spec/file-paths.ts).
 */
export function buildSummary(
  spec: NormalisedSpec, specHash: string, exp: ExperimentDefinition, store: RunStore, outcomes: CellOutcome[], specDir: string = store.dir,
): Summary {
  const fileParams = exp.fileParams ?? [];
  const stored = (v: unknown): unknown => storedFileValue(v, specDir);
  const cells: CellSummary[] = outcomes.map((o) => {
    const s = exp.summarise({
      cell: o.cell,
      seed: spec.seed,
      trials: o.trials,
      complete: o.complete,
      counts: o.counts,
      columns: (name) => store.column(o.cell.index, name, o.trials),
      confidence: spec.confidence,
      proportion: (k, n) => proportion(k, n, spec.confidence),
    });
    s.stopReason = o.stopReason;
    if (o.sprt) s.sprt = o.sprt;
    s.axes = mapFileParams(s.axes, fileParams, stored) as CellSummary['axes'];
    s.params = mapFileParams(s.params, fileParams, stored);
    // Analyse and verify cells also name their network, data and property files at the top level.
    return mapFileParams(s as unknown as Record<string, unknown>, fileParams, stored) as unknown as CellSummary;
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

/** Write summary.json and summary.csv into the run directory. */
export function writeSummary(dir: string, summary: Summary): string {
  const path = join(dir, RUN_FILES.summary);
  writeFileAtomic(path, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileAtomic(join(dir, RUN_FILES.summaryCsv), summaryCsv(summary));
  return path;
}
