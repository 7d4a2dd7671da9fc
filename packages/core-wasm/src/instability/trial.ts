/**
 * Whole instability trials (SPEC §2): a batch of trials is one WASM call (a single trial with its
 * detail outputs one call too); each trial samples T and V from its own Philox stream, produces a
 * network by the method, and measures accuracy, robustness brackets, pieces and the dichotomy. Results are plain objects; a trial whose theorem check fails throws
 * `CoreError('E_THEOREM')` naming the seed, stream and trial.
 */
import type { Core } from '../core.js';
import { CoreError } from '../errors.js';
import { createNetwork, validateNetwork, type Network } from '../network.js';
import { encodeConfig, normaliseInstabilityParams, type InstabilityParams } from './params.js';
import { TRIAL_RESULT as RES } from './layout.js';
import { seedWords, u32 } from './problem.js';
import type { Dataset } from '../mlp.js';
import type { TrialKey, TrialRange } from '../trials.js';

/** Robust accuracy at one radius. */
export interface RadiusResult {
  radius: number;
  /** Share of T ∪ V where φ is correct and no attack found a flip within the radius (upper bound). */
  robustAttack: number;
  /** Share of T ∪ V certified robust at the radius (lower bound). */
  robustCert: number;
}

/** The measurements of one trial. NaN marks what was not measured (diverged training, s = 0). */
export interface InstabilityTrialResult {
  /** Trial index t (stream (seed, streamLo = t, streamHi)). */
  trial: number;
  /** Training produced a non-finite loss or parameters: nothing else is measured. */
  diverged: boolean;
  /** Architecture of the network the method produced. */
  dims: number[];
  /** Parameters of that network. */
  params: number;
  /** Width of the first hidden layer. */
  width: number;
  /** P(N) of that architecture. */
  pieceBound: number;
  /** Label changes between consecutive observed stripes of T (ψ_T has twice this width). */
  labelChanges: number;
  /** Mean training loss of the last epoch (NaN for the constructions). */
  finalLoss: number;
  trainAccuracy: number;
  valAccuracy: number;
  /** Correct (|φ − f| < 1/2) on every point of T ∪ V. */
  accurate: boolean;
  /** Share of T ∪ V unstable at radius μ (an attack found a flip within μ; wrong points count). */
  unstableShare: number;
  radii: RadiusResult[];
  /** Per-point brackets [certified, attacked] of the robustness radius, summarised over T ∪ V. */
  radius: { attackMin: number; attackMedian: number; certMin: number; certMedian: number; gapMedian: number };
  /** Exact number of linear pieces of φ along the mid-line x_2 = … = x_d = 1/2, x_1 ∈ [0, 1]. */
  piecesMidline: number;
  /** Stripes holding at least one point of T ∪ V. */
  stripesCovered: number;
  f3: {
    /** Every stripe covered, P(N) < m − 1 and φ correct on T ∪ V. */
    applies: boolean;
    /** witnesses ≥ predicted (meaningful when every stripe is covered). */
    holds: boolean;
    /** Stripes with a data point whose mid-line image (x_2 → 1/2, distance μ) is misclassified. */
    witnesses: number;
    /** ⌈(m − 1 − P(N))/2⌉ (0 when P(N) ≥ m − 1). */
    predicted: number;
    /** ⌈(m − 1 − pieces)/2⌉ with the exact mid-line piece count (when every stripe is covered). */
    predictedExact: number;
  };
  f4: {
    /** Stripes where φ is wrong at a data point or at its mid-line image (within μ of the data). */
    inaccurateStripes: number;
    /** Stripes where φ is wrong at a data point itself. */
    dataWrongStripes: number;
  };
  /** Points whose certified radius exceeds the radius of an attack found (must be 0 when `directed`). */
  certContradictions: number;
  /**
   * Sound witness checks (docs/theory.md I.6): each point's best attack witness is confirmed
   * adversarial in exact arithmetic before its norm counts as the upper end of the bracket.
   * `nudged`: witnesses that had to be moved outward (η scaled by 1 + 2^k·u) to be confirmed;
   * `dropped`: witnesses (or points wrong in f64) that could not be confirmed, whose upper end is ∞.
   */
  witnessChecks: { nudged: number; dropped: number };
  /** Network evaluations spent by the attacks. */
  evaluations: number;
}

/** A trial's network, data and per-point results (for pictures and replay). */
export interface InstabilityTrialDetail extends InstabilityTrialResult {
  network: Network;
  /** The training set T and the validation set V. */
  train: Dataset<Float64Array>;
  val: Dataset<Float64Array>;
  /** Per point of T then V: certified radius, attack radius, best adversarial perturbation (n×d). */
  points: { certified: Float64Array; attacked: Float64Array; eta: Float64Array };
}

type TrialFn = (...args: number[]) => void;

function fixedDims(p: InstabilityParams): number[] {
  return [p.d, ...p.hidden, 1];
}

function maxShape(p: InstabilityParams): { params: number; dims: number } {
  switch (p.method) {
    case 'shortcut':
      return { params: 2 * p.d + 5, dims: 3 };
    case 'construct-stable': {
      const h = Math.max(1, 2 * (p.m - 1));
      return { params: h * p.d + 2 * h + 1, dims: 3 };
    }
    case 'train-variable': {
      const w = Math.max(1, Math.ceil(p.widthFactor * (p.m - 1)));
      const dims = [p.d, ...Array<number>(p.depth).fill(w), 1];
      let c = 0;
      for (let l = 1; l < dims.length; l++) c += dims[l]! * dims[l - 1]! + (p.bias ? dims[l]! : 0);
      return { params: c, dims: dims.length };
    }
    default: {
      const dims = fixedDims(p);
      let c = 0;
      for (let l = 1; l < dims.length; l++) c += dims[l]! * dims[l - 1]! + (p.bias ? dims[l]! : 0);
      return { params: c, dims: dims.length };
    }
  }
}

function decode(p: InstabilityParams, t: number, out: Float64Array, dims: number[]): InstabilityTrialResult {
  const g = (i: number): number => out[i]!;
  const radii = p.radii.map((radius, q) => ({ radius, robustAttack: g(RES.SIZE + 2 * q), robustCert: g(RES.SIZE + 2 * q + 1) }));
  return {
    trial: t,
    diverged: g(RES.DIVERGED) !== 0,
    dims,
    params: g(RES.NPARAMS),
    width: g(RES.WIDTH),
    pieceBound: g(RES.PIECE_BOUND),
    labelChanges: g(RES.LABEL_CHANGES),
    finalLoss: g(RES.FINAL_LOSS),
    trainAccuracy: g(RES.TRAIN_ACC),
    valAccuracy: g(RES.VAL_ACC),
    accurate: g(RES.ACCURATE) === 1,
    unstableShare: g(RES.UNSTABLE_SHARE),
    radii,
    radius: {
      attackMin: g(RES.ATTACK_MIN),
      attackMedian: g(RES.ATTACK_MED),
      certMin: g(RES.CERT_MIN),
      certMedian: g(RES.CERT_MED),
      gapMedian: g(RES.GAP_MED),
    },
    piecesMidline: g(RES.PIECES),
    stripesCovered: g(RES.STRIPES),
    f3: {
      applies: g(RES.F3_APPLIES) === 1,
      holds: g(RES.F3_HOLDS) === 1,
      witnesses: g(RES.F3_WITNESSES),
      predicted: g(RES.F3_PREDICTED),
      predictedExact: g(RES.LEMMA_PREDICTED),
    },
    f4: { inaccurateStripes: g(RES.F4_STRIPES), dataWrongStripes: g(RES.DATA_WRONG_STRIPES) },
    certContradictions: g(RES.CONTRADICTIONS),
    witnessChecks: { nudged: g(RES.WIT_NUDGED), dropped: g(RES.WIT_DROPPED) },
    evaluations: g(RES.EVALS),
  };
}

/**
 * Throw `CoreError('E_THEOREM')` when a trial's numbers contradict a theorem: F3 applies and fails,
 * the counting lemma fails with the exact piece count, or a directed-rounding certificate is
 * contradicted by an attack. Exported for tests; not part of the package API.
 * @internal
 */
export function theoremCheck(p: InstabilityParams, r: InstabilityTrialResult, seed: number, streamHi: number): void {
  if (r.diverged) return;
  const where = `seed ${seed}, streamHi ${streamHi}, trial ${r.trial} (method ${p.method}, m ${p.m}, mu ${p.mu}, dims [${r.dims.join(', ')}])`;
  if (r.f3.applies && !r.f3.holds) {
    throw new CoreError('E_THEOREM', `F3 failed at ${where}: the network is correct on T ∪ V and P(N) = ${r.pieceBound} < m − 1, but only ${r.f3.witnesses} mid-line witnesses were found where ${r.f3.predicted} are guaranteed; this is a bug, please report it`);
  }
  if (r.stripesCovered === p.m && r.f3.witnesses < r.f3.predictedExact) {
    throw new CoreError('E_THEOREM', `the counting lemma failed at ${where}: ${r.piecesMidline} mid-line pieces force ${r.f3.predictedExact} misclassified mid-line points, found ${r.f3.witnesses}; this is a bug, please report it`);
  }
  if (p.directed && p.certify.length > 0 && r.certContradictions > 0) {
    throw new CoreError('E_THEOREM', `a certificate was contradicted by an attack at ${where} (${r.certContradictions} points) although directed rounding is on; this is a bug, please report it`);
  }
}

function checkRange(range: TrialRange, single: boolean): void {
  seedWords(range.seed);
  u32(range.streamHi, 'streamHi');
  if (!Number.isInteger(range.tStart) || range.tStart < 0 || range.tStart >= 2 ** 32) {
    throw new CoreError('E_ARG', `tStart: expected an integer in [0, 2^32), got ${range.tStart}`);
  }
  if (!single && (!Number.isInteger(range.count) || range.count < 0 || range.tStart + range.count > 2 ** 32)) {
    throw new CoreError('E_ARG', `count: expected an integer ≥ 0 with tStart + count ≤ 2^32, got ${range.count}`);
  }
}

function runOne(core: Core, p: InstabilityParams, cfg: Float64Array, seed: number, streamHi: number, t: number, detail: boolean): InstabilityTrialDetail | InstabilityTrialResult {
  const raw = core.raw;
  const [sLo, sHi] = seedWords(seed);
  const n = p.r + p.s;
  const shape = maxShape(p);
  const resultSize = raw.fn<(n: number) => number>('inst_trial_result_size')(p.radii.length);
  return raw.scoped((s) => {
    const out = s.f64Zeros(resultSize);
    const dimsIn = s.i32(fixedDims(p));
    const radii = s.f64(p.radii.length > 0 ? p.radii : [0]);
    const xOut = detail ? s.f64Zeros(n * p.d) : 0;
    const yOut = detail ? s.f64Zeros(n) : 0;
    const cOut = detail ? s.f64Zeros(n) : 0;
    const aOut = detail ? s.f64Zeros(n) : 0;
    const eOut = detail ? s.f64Zeros(n * p.d) : 0;
    const pOut = s.f64Zeros(shape.params);
    const dOut = s.i32Zeros(shape.dims);
    raw.fn<TrialFn>('inst_trial')(
      s.f64(cfg), dimsIn, p.hidden.length + 2, radii, p.radii.length, sLo, sHi, t, streamHi, out,
      xOut, yOut, cOut, aOut, eOut, pOut, shape.params, dOut, shape.dims,
    );
    const res = s.readF64(out, resultSize);
    const nd = res[RES.NDIMS]!;
    const dims = Array.from(s.readI32(dOut, nd));
    const base = decode(p, t, res, dims);
    if (!detail) return base;
    const split = (X: Float64Array, y: Float64Array, from: number, count: number): Dataset<Float64Array> => ({
      x: X.slice(from * p.d, (from + count) * p.d),
      y: y.slice(from, from + count),
    });
    const X = s.readF64(xOut, n * p.d);
    const y = s.readF64(yOut, n);
    return {
      ...base,
      network: createNetwork(dims, p.method === 'shortcut' || p.method === 'construct-stable' ? true : p.bias, s.readF64(pOut, res[RES.NPARAMS]!)),
      train: split(X, y, 0, p.r),
      val: split(X, y, p.r, p.s),
      points: { certified: s.readF64(cOut, n), attacked: s.readF64(aOut, n), eta: s.readF64(eOut, n * p.d) },
    };
  });
}

/**
 * Run trials tStart … tStart + count − 1 of a cell (the orchestrator's batch function). Trial t uses
 * the Philox stream (seed, streamLo = t, streamHi), so results do not depend on how trials are
 * batched. Throws `CoreError('E_THEOREM')` when a theorem check fails, naming seed and trial.
 */
export function runInstabilityTrials(
  core: Core, params: Partial<InstabilityParams> | Record<string, unknown>, range: TrialRange,
): InstabilityTrialResult[] {
  const p = normaliseInstabilityParams(params);
  checkRange(range, false);
  const cfg = encodeConfig(p);
  const out: InstabilityTrialResult[] = [];
  if (range.count === 0) return out;
  const raw = core.raw;
  const [sLo, sHi] = seedWords(range.seed);
  const shape = maxShape(p);
  const resultSize = raw.fn<(n: number) => number>('inst_trial_result_size')(p.radii.length);
  // The whole range in one WASM call (inst_trials), the same numbers as one inst_trial per trial.
  const results = raw.scoped((s) => {
    const res = s.f64Zeros(resultSize * range.count);
    const dOut = s.i32Zeros(shape.dims * range.count);
    raw.fn<TrialFn>('inst_trials')(
      s.f64(cfg), s.i32(fixedDims(p)), p.hidden.length + 2, s.f64(p.radii.length > 0 ? p.radii : [0]), p.radii.length,
      sLo, sHi, range.tStart, range.count, range.streamHi, res, 0, 0, dOut, shape.dims,
    );
    return { res: s.readF64(res, resultSize * range.count), dims: s.readI32(dOut, shape.dims * range.count) };
  });
  for (let i = 0; i < range.count; i++) {
    const res = results.res.subarray(i * resultSize, (i + 1) * resultSize);
    const nd = res[RES.NDIMS]!;
    const dims = Array.from(results.dims.subarray(i * shape.dims, i * shape.dims + nd));
    const r = decode(p, range.tStart + i, res, dims);
    theoremCheck(p, r, range.seed, range.streamHi);
    out.push(r);
  }
  return out;
}

/**
 * Run one trial and also return its network, T, V, per-point brackets and adversarial
 * perturbations (what decision-boundary pictures need). Same numbers as `runInstabilityTrials`.
 */
export function runInstabilityTrial(
  core: Core, params: Partial<InstabilityParams> | Record<string, unknown>, stream: TrialKey,
): InstabilityTrialDetail {
  const p = normaliseInstabilityParams(params);
  checkRange({ seed: stream.seed, streamHi: stream.streamHi, tStart: stream.trial, count: 1 }, true);
  const r = runOne(core, p, encodeConfig(p), stream.seed, stream.streamHi, stream.trial, true) as InstabilityTrialDetail;
  theoremCheck(p, r, stream.seed, stream.streamHi);
  return r;
}


/** How a given network's training ended, for `measureNetwork` (both optional). */
export interface MeasuredTraining {
  /** The final training loss to report (default NaN: not known). */
  finalLoss?: number;
  /** The training did not complete: the trial is recorded as diverged and nothing is measured. */
  diverged?: boolean;
}

/**
 * Measure a given network on a trial exactly as the built-in methods' trials are measured — the
 * same WASM measurement stage (`inst_measure_network` runs the stage `inst_trial` ends with), the
 * same data T and V of the trial's stream, the same attack and certification streams and options
 * (`norm`, `attacks`, `certify`, `radii`, …): every column of `runInstabilityTrial`, with its
 * network, data and per-point results. A built-in method's trained network measured here gives
 * its trial's numbers bit for bit. The network must map d inputs to one output (E_SHAPE); the
 * method in `params` is not used. Throws `CoreError('E_THEOREM')` as a trial does.
 */
export function measureNetwork(
  core: Core, params: Partial<InstabilityParams> | Record<string, unknown>, stream: TrialKey, net: Network, training: MeasuredTraining = {},
): InstabilityTrialDetail {
  const p = normaliseInstabilityParams(params);
  checkRange({ seed: stream.seed, streamHi: stream.streamHi, tStart: stream.trial, count: 1 }, true);
  validateNetwork(net);
  if (net.dims[0] !== p.d || net.dims[net.dims.length - 1] !== 1) {
    throw new CoreError('E_SHAPE', `network.dims: expected [${p.d}, …, 1] for this problem (d = ${p.d}, one output), got [${net.dims.join(', ')}]`);
  }
  const finalLoss = training.finalLoss ?? NaN;
  if (typeof finalLoss !== 'number') throw new CoreError('E_ARG', `finalLoss: expected a number, got ${String(finalLoss)}`);
  const raw = core.raw;
  const [sLo, sHi] = seedWords(stream.seed);
  const n = p.r + p.s;
  const resultSize = raw.fn<(n: number) => number>('inst_trial_result_size')(p.radii.length);
  const r = raw.scoped((s) => {
    const out = s.f64Zeros(resultSize);
    const xOut = s.f64Zeros(n * p.d);
    const yOut = s.f64Zeros(n);
    const cOut = s.f64Zeros(n);
    const aOut = s.f64Zeros(n);
    const eOut = s.f64Zeros(n * p.d);
    raw.fn<TrialFn>('inst_measure_network')(
      s.f64(encodeConfig(p)), s.i32(net.dims), net.dims.length, net.bias ? 1 : 0, s.f64(net.params), finalLoss, training.diverged ? 0 : 1,
      s.f64(p.radii.length > 0 ? p.radii : [0]), p.radii.length, sLo, sHi, stream.trial, stream.streamHi, out,
      xOut, yOut, cOut, aOut, eOut,
    );
    const base = decode(p, stream.trial, s.readF64(out, resultSize), [...net.dims]);
    const X = s.readF64(xOut, n * p.d);
    const y = s.readF64(yOut, n);
    const split = (from: number, count: number): Dataset<Float64Array> => ({ x: X.slice(from * p.d, (from + count) * p.d), y: y.slice(from, from + count) });
    return {
      ...base,
      network: net,
      train: split(0, p.r),
      val: split(p.r, p.s),
      points: { certified: s.readF64(cOut, n), attacked: s.readF64(aOut, n), eta: s.readF64(eOut, n * p.d) },
    };
  });
  theoremCheck(p, r, stream.seed, stream.streamHi);
  return r;
}
