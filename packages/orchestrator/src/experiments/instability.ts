/**
 * The instability experiment (SPEC §2) as the orchestrator sees it: parameters and whole trials
 * come from core-wasm (which also throws E_THEOREM when F3 fails); this file turns a batch of trial
 * records into counts and per-trial columns, names the proportions stopping rules watch, and
 * builds the summary cell.
 */
import {
  INSTABILITY_PARAM_KEYS,
  normaliseInstabilityParams,
  runInstabilityTrials,
  type InstabilityParams,
  type InstabilityTrialResult,
} from '@paradox/core-wasm/instability';
import { moments, type ValueStream } from '../stats/moments.js';
import type { InstabilityCell } from '../summary/types.js';
import type { Json } from '../worker/protocol.js';
import type { BatchData, ExperimentDefinition } from './types.js';

/** Scalar per-trial columns and how to read them from a trial record. */
const SCALARS: Record<string, (r: InstabilityTrialResult) => number> = {
  pieceBound: (r) => r.pieceBound,
  'acc.train': (r) => r.trainAccuracy,
  'acc.val': (r) => r.valAccuracy,
  unstableShare: (r) => r.unstableShare,
  'radius.attackMin': (r) => r.radius.attackMin,
  'radius.attackMedian': (r) => r.radius.attackMedian,
  'radius.certMin': (r) => r.radius.certMin,
  'radius.certMedian': (r) => r.radius.certMedian,
  'radius.gapMedian': (r) => r.radius.gapMedian,
  piecesMidline: (r) => r.piecesMidline,
  stripesCovered: (r) => r.stripesCovered,
  width: (r) => r.width,
  labelChanges: (r) => r.labelChanges,
  finalLoss: (r) => r.finalLoss,
  'f3.witnesses': (r) => r.f3.witnesses,
  'f3.predicted': (r) => r.f3.predicted,
  'f4.inaccurateStripes': (r) => r.f4.inaccurateStripes,
  certContradictions: (r) => r.certContradictions,
  'witness.nudged': (r) => r.witnessChecks.nudged,
  'witness.dropped': (r) => r.witnessChecks.dropped,
};

/** Fixed architectures report their dims; data-dependent widths report null. */
function architecture(p: InstabilityParams): number[] | null {
  if (p.method === 'train' || p.method === 'adversarial-train') return [p.d, ...p.hidden, 1];
  if (p.method === 'shortcut') return [p.d, 2, 1];
  return null;
}

/** Values of a column equal to `v` (a trial with zero training error has train accuracy exactly 1). */
function countEqual(stream: ValueStream, v: number): number {
  let k = 0;
  for (const chunk of stream()) for (const x of chunk) if (x === v) k++;
  return k;
}

function asParams(p: Record<string, Json>): InstabilityParams {
  return p as unknown as InstabilityParams;
}

function scalar(v: Json): string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
}

/** Empty counts and columns for a batch of `n` trials. */
function emptyBatch(n: number, radii: number[]): BatchData {
  const columns: Record<string, Float64Array> = {};
  for (const name of Object.keys(SCALARS)) columns[name] = new Float64Array(n);
  radii.forEach((_, i) => {
    columns[`robustAttack.${i}`] = new Float64Array(n);
    columns[`robustCert.${i}`] = new Float64Array(n);
  });
  return { counts: { accurate: 0, accurateUnstable: 0, 'f3.applies': 0, 'f3.holds': 0, diverged: 0 }, columns };
}

const inc = (counts: Record<string, number>, k: string) => {
  counts[k] = (counts[k] ?? 0) + 1;
};

/** Add trial records for batch positions offset, offset + 1, … into `data`. */
function fill(data: BatchData, offset: number, results: InstabilityTrialResult[], radii: number[]): void {
  const { counts, columns } = data;
  results.forEach((r, i) => {
    const j = offset + i;
    for (const [name, get] of Object.entries(SCALARS)) {
      // A diverged trial is a recorded outcome with no measurements: NaN, skipped by the moments.
      (columns[name] as Float64Array)[j] = r.diverged ? NaN : get(r);
    }
    radii.forEach((_, k) => {
      const row = r.radii[k];
      (columns[`robustAttack.${k}`] as Float64Array)[j] = r.diverged || !row ? NaN : row.robustAttack;
      (columns[`robustCert.${k}`] as Float64Array)[j] = r.diverged || !row ? NaN : row.robustCert;
    });
    if (r.diverged) inc(counts, 'diverged');
    if (r.accurate) {
      inc(counts, 'accurate');
      if (r.unstableShare > 0) inc(counts, 'accurateUnstable');
    }
    if (r.f3.applies) {
      inc(counts, 'f3.applies');
      if (r.f3.holds) inc(counts, 'f3.holds');
    }
  });
}

/** Trials per call into core-wasm (bounds the records a worker holds at once; results do not depend on it). */
export const TRIAL_SLICE = 512;

/** The instability experiment. */
export const instability: ExperimentDefinition = {
  name: 'instability',
  paramKeys: INSTABILITY_PARAM_KEYS,

  normaliseParams(params) {
    return normaliseInstabilityParams(params) as unknown as Record<string, Json>;
  },

  runBatch(core, params, stream) {
    const radii = asParams(params).radii;
    const data = emptyBatch(stream.count, radii);
    for (let off = 0; off < stream.count; off += TRIAL_SLICE) {
      const range = { seed: stream.seed, streamHi: stream.streamHi, tStart: stream.tStart + off, count: Math.min(TRIAL_SLICE, stream.count - off) };
      stream.onTrials?.(range.tStart, range.tStart + range.count - 1);
      const results = runInstabilityTrials(core, params, range);
      for (const r of results) {
        // core-wasm throws on an F3 failure itself; this keeps the guarantee if that ever changes.
        if (!r.diverged && r.f3.applies && !r.f3.holds) {
          const e = new Error(`F3 failed at seed ${stream.seed}, streamHi ${stream.streamHi}, trial ${r.trial}`) as Error & { code: string; trial: number };
          e.code = 'E_THEOREM';
          e.trial = r.trial;
          throw e;
        }
      }
      fill(data, off, results, radii);
    }
    return data;
  },

  tracked(_params, counts, trials) {
    return [
      { name: 'accurate', k: counts.accurate ?? 0, n: trials },
      { name: 'accurateUnstable', k: counts.accurateUnstable ?? 0, n: counts.accurate ?? 0 },
    ];
  },

  guard() {
    // The dichotomy is checked per trial (E_THEOREM from the trial function); no run-level bound here.
    return null;
  },

  summarise({ cell, trials, complete, counts, columns, proportion }) {
    const p = asParams(cell.params);
    const m = (name: string) => moments(columns(name));
    const out: InstabilityCell = {
      experiment: 'instability',
      cellKey: cell.key,
      axes: Object.fromEntries(Object.entries(cell.axes).map(([k, v]) => [k, scalar(v)])),
      params: cell.params,
      complete,
      method: p.method,
      m: p.m,
      mu: p.mu,
      arch: architecture(p),
      pieceBound: m('pieceBound'),
      trials,
      accuracy: { train: m('acc.train'), val: m('acc.val') },
      accurate: proportion(counts.accurate ?? 0, trials),
      trainFit: proportion(countEqual(columns('acc.train'), 1), trials),
      accurateUnstable: proportion(counts.accurateUnstable ?? 0, counts.accurate ?? 0),
      unstableShare: m('unstableShare'),
      radii: p.radii.map((radius, i) => ({ radius, robustAttack: m(`robustAttack.${i}`), robustCert: m(`robustCert.${i}`) })),
      radius: {
        attackMin: m('radius.attackMin'),
        attackMedian: m('radius.attackMedian'),
        certMin: m('radius.certMin'),
        certMedian: m('radius.certMedian'),
        gapMedian: m('radius.gapMedian'),
      },
      piecesMidline: m('piecesMidline'),
      stripesCovered: m('stripesCovered'),
      width: m('width'),
      f3: { applies: counts['f3.applies'] ?? 0, holds: counts['f3.holds'] ?? 0, witnesses: m('f3.witnesses'), predicted: m('f3.predicted') },
      diverged: counts.diverged ?? 0,
    };
    return out;
  },
};
