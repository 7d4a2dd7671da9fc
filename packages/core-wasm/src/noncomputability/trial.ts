/**
 * Noncomputability trials (SPEC §3.5): one algorithm run on one member of a hard pair, and the
 * paired batch function of the orchestrator contract, in which both signs of trial t share the
 * random stream t.
 */
import type { TrialKey, TrialRange } from '../trials.js';
import type { Core } from '../core.js';
import { CoreError, formatValue } from '../errors.js';
import type { Algorithm, AlgorithmContext, AlgorithmOutput } from './algorithm.js';
import { builtInOptimiseCall, closedFormPlan } from './algorithms.js';
import { checkData, costTs, evaluatePairsInCore, flattenNetwork, linearNetwork, makeTools, optimiseConfig, pairsSupported, probes, reducedSolution, type ProblemShape } from './kernel.js';
import { OracleSource, countingOracle, type ReadStats } from './oracle.js';
import { makeHardPair, type HardPair, type PairGroundTruth } from './pair.js';
import { normaliseNoncomputabilityParams, type NoncomputabilityParams } from './params.js';
import { loadPlugin, resolveAlgorithm, validateAlgorithm } from './plugin.js';
import { SUBSTREAM, philoxStream } from './rng.js';
import { splitU64 } from '../rng/philox.js';

/** One run of an algorithm on ι⁺_K (sign 1) or ι⁻_K (sign −1). */
export interface NoncomputabilityTrialResult {
  sign: 1 | -1;
  /** success[i]: dist ≤ epsilons[i]. */
  success: boolean[];
  /** dist(output, φ*) = max_k |φ(e_k) − φ*(e_k)| (Infinity when diverged). */
  dist: number;
  /** C_ι(θ) of the output on the true data (Infinity when diverged). */
  cost: number;
  /** cost − h(t*) ≥ 0: how far above the minimum the output is. */
  costGap: number;
  /** Optimisation steps the algorithm reported. */
  steps: number;
  /** Highest precision n read. */
  bitsRead: number;
  /** Number of oracle reads. */
  reads: number;
  /** Σ n × values over reads. */
  bitsTotal: number;
  /** φ(e_k) for k = 1..d. */
  probes: number[];
  /** True when the output had non-finite weights (a recorded outcome, not an error). */
  diverged: boolean;
}

/** Both signs of trial t (SPEC §3.5's paired design). */
export interface NoncomputabilityPairResult {
  /** Trial index t (the stream id's low word). */
  trial: number;
  plus: NoncomputabilityTrialResult;
  minus: NoncomputabilityTrialResult;
  /** True when the two runs returned bit-identical networks (always, when every read had n ≤ K under the adversarial oracle). */
  identical: boolean;
}

/** Which trials of which cell to run. */
export interface NoncomputabilityTrialRange extends TrialRange {
  /** Use this algorithm object instead of resolving `params.algorithm` (plugin development, tests). */
  algorithm?: Algorithm;
}

/** The cell-level constants the orchestrator reports next to the per-trial results. */
export interface NoncomputabilityConstants extends PairGroundTruth {
  /** The scales c_j of the pair. */
  scales: readonly number[];
}

/** A cell ready to run: normalised params, the pair, and per-sign oracle sources (cached answers). */
interface PreparedCell {
  params: NoncomputabilityParams;
  pair: HardPair;
  shape: ProblemShape;
  sources: { plus: OracleSource; minus: OracleSource };
  options: Readonly<Record<string, unknown>>;
}

const prepared = new Map<string, PreparedCell>();
const PREPARED_MAX = 32;

function prepare(paramsIn: Partial<NoncomputabilityParams> | Record<string, unknown>, seed: number): PreparedCell {
  const params = normaliseNoncomputabilityParams(paramsIn);
  const key = `${seed}\u0000${JSON.stringify(params)}`;
  const hit = prepared.get(key);
  if (hit) return hit;
  const pair = makeHardPair(params, seed);
  const cell: PreparedCell = {
    params,
    pair,
    shape: { d: params.d, width: params.width, samples: params.samples, lambda: params.lambda },
    sources: { plus: new OracleSource(pair, 1, params.oracle), minus: new OracleSource(pair, -1, params.oracle) },
    options: deepFreeze(algorithmOptions(params)),
  };
  // The BigInt work of a cell is done once per worker; a small bound keeps long sweeps in check.
  if (prepared.size >= PREPARED_MAX) prepared.delete(prepared.keys().next().value!);
  prepared.set(key, cell);
  return cell;
}

/** What `ctx.options` holds: the optimiser parameters of a built-in, or a plugin's own options. */
function algorithmOptions(p: NoncomputabilityParams): Record<string, unknown> {
  if (p.algorithm === 'plugin') return structuredClone(p.pluginOptions);
  const { steps, lr, init, initScale, batchSize, restarts, inner, beta1, beta2, adamEps, annealT0, annealT1, annealSigma } = p;
  return { steps, lr, init, initScale, batchSize, restarts, inner, beta1, beta2, adamEps, annealT0, annealT1, annealSigma };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Cell constants: s*, ε_B, t*, h(t*), S, a*, k* and the scales. Validates the parameters. */
export function noncomputabilityConstants(params: Partial<NoncomputabilityParams> | Record<string, unknown>, seed: number): NoncomputabilityConstants {
  const cell = prepare(params, seed);
  return { ...cell.pair.truth, scales: cell.pair.scales };
}

interface RunRecord {
  output: AlgorithmOutput | undefined;
  stats: ReadStats;
}

function makeContext(core: Core, cell: PreparedCell, sign: 1 | -1, seed: number, t: number, streamHi: number, who: string): { ctx: AlgorithmContext; stats: ReadStats } {
  const rng = philoxStream(seed, SUBSTREAM.algorithm, t, streamHi);
  const { read, stats } = countingOracle(sign === 1 ? cell.sources.plus : cell.sources.minus, cell.params.readBits, who);
  const { d, width, samples, lambda } = cell.shape;
  const ctx: AlgorithmContext = Object.freeze({
    d,
    width,
    samples,
    lambda,
    budget: cell.params.readBits,
    options: cell.options,
    rng,
    read,
    tools: makeTools(core, cell.shape, rng),
  });
  return { ctx, stats };
}

function where(cell: PreparedCell, alg: Algorithm, seed: number, streamHi: number, t: number): string {
  return `algorithm ${JSON.stringify(alg.name)} (seed ${seed}, streamHi ${streamHi}, trial ${t}, K ${cell.params.K}, readBits ${cell.params.readBits})`;
}

function evaluate(cell: PreparedCell, sign: 1 | -1, rec: RunRecord, who: string): { result: NoncomputabilityTrialResult; theta: Float64Array } {
  const out = rec.output;
  if (!out || typeof out !== 'object') throw new CoreError('E_ARG', `${who}: run() must return { network: { w, v }, steps? }, got ${formatValue(out)}`);
  const theta = flattenNetwork(`${who}: output`, cell.shape, out.network);
  const steps = out.steps ?? 0;
  if (typeof steps !== 'number' || !(steps >= 0) || !Number.isFinite(steps)) throw new CoreError('E_ARG', `${who}: output.steps: expected a finite number ≥ 0, got ${formatValue(steps)}`);
  const truth = cell.pair.truth;
  const kStar = sign === 1 ? 0 : 1;
  const diverged = !theta.every(Number.isFinite);
  const data = sign === 1 ? cell.pair.plus : cell.pair.minus;
  let dist = Infinity;
  let cost = Infinity;
  let pr: number[] = new Array<number>(cell.params.d).fill(NaN);
  if (!diverged) {
    pr = Array.from(probes(cell.shape, theta));
    dist = 0;
    for (let k = 0; k < pr.length; k++) dist = Math.max(dist, Math.abs(pr[k]! - (k === kStar ? truth.sStar : 0)));
    cost = costTs(cell.shape, theta, data.xF64, data.yF64);
    // The minimiser theorem: no network costs less than h(t*). A violation is a bug in the
    // theory, the checker or the kernel, never an outcome to record.
    if (cost < costFloor(truth.hStar)) throw belowMinimum(who, sign, cost, truth.hStar);
    if (!Number.isFinite(dist) || !Number.isFinite(cost)) dist = cost = Infinity;
  }
  const stats = rec.stats;
  return {
    theta,
    result: {
      sign,
      success: cell.params.epsilons.map((e) => dist <= e),
      dist,
      cost,
      costGap: cost - truth.hStar,
      steps,
      bitsRead: stats.bitsRead,
      reads: stats.reads,
      bitsTotal: stats.bitsTotal,
      probes: pr,
      diverged: diverged || !Number.isFinite(cost),
    },
  };
}

/** Costs below this are a theorem violation (h(t*) minus a relative rounding allowance). */
function costFloor(hStar: number): number {
  return hStar - 1e-9 * Math.max(1, hStar);
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (ua.length !== ub.length) return false;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

function assemblePair(cell: PreparedCell, alg: Algorithm, t: number, who: string, plus: RunRecord, minus: RunRecord): NoncomputabilityPairResult {
  const p = evaluate(cell, 1, plus, who);
  const m = evaluate(cell, -1, minus, who);
  const identical = sameBits(p.theta, m.theta);
  const { K, oracle } = cell.params;
  const hidden = (s: ReadStats): boolean => s.history.every((n) => n <= K);
  if (oracle === 'adversarial' && hidden(plus.stats) && hidden(minus.stats)) {
    const sameReads = plus.stats.history.length === minus.stats.history.length && plus.stats.history.every((n, i) => n === minus.stats.history[i]);
    checkHidden(cell, alg, who, sameReads, identical, (i) => p.result.success[i] === true && m.result.success[i] === true);
  }
  return { trial: t, plus: p.result, minus: m.result, identical };
}

/**
 * Indistinguishability (every read hidden: n ≤ K under the adversarial oracle): every answer the
 * algorithm saw was the same on both inputs, so it must have read the same way and returned the
 * same network, and below ε_B that network cannot succeed on both. Throws `E_THEOREM` otherwise.
 */
function checkHidden(cell: PreparedCell, alg: Algorithm, who: string, sameReads: boolean, identical: boolean, bothSucceed: (i: number) => boolean): void {
  if (!sameReads || !identical) {
    const plugin = alg.name !== cell.params.algorithm || cell.params.algorithm === 'plugin';
    throw new CoreError(
      'E_THEOREM',
      `${who}: the oracle answered identically on ι⁺ and ι⁻ (every read had n ≤ K) but the algorithm ${sameReads ? 'returned different networks' : 'read differently'}` +
        (plugin ? '; an algorithm must be a deterministic function of its context (randomness only from ctx.rng, no state kept between runs)' : ''),
    );
  }
  const epsB = cell.pair.truth.epsB;
  cell.params.epsilons.forEach((e, i) => {
    if (e < epsB && bothSucceed(i)) {
      throw new CoreError('E_THEOREM', `${who}: one network succeeded on both inputs at ε = ${e} < ε_B = ${epsB}`);
    }
  });
}

/** The E_THEOREM error of an output cheaper than the proven minimum (see `evaluate`). */
function belowMinimum(who: string, sign: 1 | -1, cost: number, hStar: number): CoreError {
  return new CoreError('E_THEOREM', `${who}, sign ${sign > 0 ? '+' : '−'}: output cost ${cost} is below the proven minimum h(t*) = ${hStar}`);
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return !!x && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

function checkRange(range: NoncomputabilityTrialRange): void {
  const ok = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  if (!range || typeof range !== 'object') throw new CoreError('E_ARG', `trial range: expected { seed, streamHi, tStart, count }, got ${formatValue(range)}`);
  if (!ok(range.seed, 0, Number.MAX_SAFE_INTEGER)) throw new CoreError('E_ARG', `trial range.seed: expected an integer in [0, 2^53), got ${formatValue(range.seed)}`);
  if (!ok(range.streamHi, 0, 2 ** 32 - 1)) throw new CoreError('E_ARG', `trial range.streamHi: expected an integer in [0, 2^32), got ${formatValue(range.streamHi)}`);
  if (!ok(range.tStart, 0, 2 ** 32 - 1)) throw new CoreError('E_ARG', `trial range.tStart: expected an integer in [0, 2^32), got ${formatValue(range.tStart)}`);
  if (!ok(range.count, 0, 2 ** 32 - 1 - range.tStart)) throw new CoreError('E_ARG', `trial range.count: expected an integer ≥ 0 with tStart + count ≤ 2^32, got ${formatValue(range.count)}`);
}

function setup(params: Partial<NoncomputabilityParams> | Record<string, unknown>, range: NoncomputabilityTrialRange): { cell: PreparedCell; alg: Algorithm } {
  checkRange(range);
  const cell = prepare(params, range.seed);
  const alg = range.algorithm ? validateAlgorithm(range.algorithm, 'trial range.algorithm') : resolveAlgorithm(cell.params.algorithm, cell.params.plugin);
  if (alg.validateOptions) {
    try {
      alg.validateOptions(cell.options);
    } catch (e) {
      throw new CoreError('E_ARG', `algorithm ${JSON.stringify(alg.name)}: invalid options: ${(e as Error).message}`, { cause: e });
    }
  }
  return { cell, alg };
}

/**
 * The order in which the two signs of trial t run, from a substream the algorithm cannot reach:
 * an algorithm that (against the rules) keeps state between runs learns nothing from the order.
 */
function signOrder(seed: number, t: number, streamHi: number): readonly [1 | -1, 1 | -1] {
  return (philoxStream(seed, SUBSTREAM.order, t, streamHi).nextU32() & 1) === 0 ? PLUS_FIRST : MINUS_FIRST;
}

const PLUS_FIRST = Object.freeze([1, -1] as const);
const MINUS_FIRST = Object.freeze([-1, 1] as const);

function runOne(core: Core, cell: PreparedCell, alg: Algorithm, sign: 1 | -1, seed: number, t: number, streamHi: number, who: string): RunRecord {
  const { ctx, stats } = makeContext(core, cell, sign, seed, t, streamHi, who);
  const output = alg.run(ctx);
  if (isThenable(output)) {
    throw new CoreError('E_ARG', `${who}: run() returned a Promise; asynchronous algorithms need runNoncomputabilityTrialsAsync`);
  }
  return { output, stats };
}

async function runOneAsync(core: Core, cell: PreparedCell, alg: Algorithm, sign: 1 | -1, seed: number, t: number, streamHi: number, who: string): Promise<RunRecord> {
  const { ctx, stats } = makeContext(core, cell, sign, seed, t, streamHi, who);
  const output = await alg.run(ctx);
  return { output, stats };
}

/** Pairs per call of the batched kernel (bounds the memory of one call: ~400 bytes per pair). */
const PAIRS_PER_CALL = 4096;

/** One sign's results for a range of trials, as columns (index i = trial tStart + i). */
export interface NoncomputabilitySideColumns {
  dist: Float64Array;
  cost: Float64Array;
  costGap: Float64Array;
  steps: Float64Array;
  bitsRead: Float64Array;
  reads: Float64Array;
  bitsTotal: Float64Array;
  /** 1 when the run diverged. */
  diverged: Uint8Array;
  /** success[i·E + e] = 1 when dist ≤ epsilons[e] (E = number of ε). */
  success: Uint8Array;
  /** probes[i·d + k] = φ(e_k) (NaN when diverged). */
  probes: Float64Array;
}

/**
 * The results of `runNoncomputabilityTrials` as typed arrays instead of one object per run (the
 * same values, bit for bit): what a sweep's batch function consumes, without per-trial garbage.
 */
export interface NoncomputabilityTrialColumns {
  tStart: number;
  count: number;
  /** Number of accuracies E (row length of `success`). */
  epsilons: number;
  /** Input dimension d (row length of `probes`). */
  d: number;
  plus: NoncomputabilitySideColumns;
  minus: NoncomputabilitySideColumns;
  /** 1 when the two runs of trial tStart + i returned bit-identical networks. */
  identical: Uint8Array;
}

function sideColumns(count: number, E: number, d: number): NoncomputabilitySideColumns {
  const f = (): Float64Array => new Float64Array(count);
  return { dist: f(), cost: f(), costGap: f(), steps: f(), bitsRead: f(), reads: f(), bitsTotal: f(), diverged: new Uint8Array(count), success: new Uint8Array(count * E), probes: new Float64Array(count * d) };
}

function emptyColumns(tStart: number, count: number, E: number, d: number): NoncomputabilityTrialColumns {
  return { tStart, count, epsilons: E, d, plus: sideColumns(count, E, d), minus: sideColumns(count, E, d), identical: new Uint8Array(count) };
}

function putSide(c: NoncomputabilitySideColumns, i: number, r: NoncomputabilityTrialResult, E: number, d: number): void {
  c.dist[i] = r.dist;
  c.cost[i] = r.cost;
  c.costGap[i] = r.costGap;
  c.steps[i] = r.steps;
  c.bitsRead[i] = r.bitsRead;
  c.reads[i] = r.reads;
  c.bitsTotal[i] = r.bitsTotal;
  c.diverged[i] = r.diverged ? 1 : 0;
  for (let e = 0; e < E; e++) c.success[i * E + e] = r.success[e] ? 1 : 0;
  for (let k = 0; k < d; k++) c.probes[i * d + k] = r.probes[k]!;
}

function sideResult(c: NoncomputabilitySideColumns, i: number, sign: 1 | -1, E: number, d: number): NoncomputabilityTrialResult {
  const success = new Array<boolean>(E);
  for (let e = 0; e < E; e++) success[e] = c.success[i * E + e] === 1;
  return {
    sign,
    success,
    dist: c.dist[i]!,
    cost: c.cost[i]!,
    costGap: c.costGap[i]!,
    steps: c.steps[i]!,
    bitsRead: c.bitsRead[i]!,
    reads: c.reads[i]!,
    bitsTotal: c.bitsTotal[i]!,
    probes: Array.from(c.probes.subarray(i * d, (i + 1) * d)),
    diverged: c.diverged[i] === 1,
  };
}

/** Write pair results into `cols` from position `offset` on. */
function putResults(cols: NoncomputabilityTrialColumns, offset: number, results: readonly NoncomputabilityPairResult[]): void {
  const { epsilons: E, d } = cols;
  results.forEach((r, i) => {
    putSide(cols.plus, offset + i, r.plus, E, d);
    putSide(cols.minus, offset + i, r.minus, E, d);
    cols.identical[offset + i] = r.identical ? 1 : 0;
  });
}

/**
 * Trials per context-path slice of the column runners: the pair results of a slice are written into
 * the columns and dropped before the next slice runs, so few records are alive when the young
 * generation is scavenged (a scavenge costs in proportion to what survives: with 2048 records per
 * slice a cheap algorithm such as coin spent ~35 % of a worker's time in scavenges, with 64 ~10 %).
 */
const GENERAL_SLICE = 64;

function generalColumns(core: Core, cell: PreparedCell, alg: Algorithm, range: NoncomputabilityTrialRange): NoncomputabilityTrialColumns {
  const cols = emptyColumns(range.tStart, range.count, cell.params.epsilons.length, cell.params.d);
  for (let off = 0; off < range.count; off += GENERAL_SLICE) {
    putResults(cols, off, runGeneral(core, cell, alg, { ...range, tStart: range.tStart + off, count: Math.min(GENERAL_SLICE, range.count - off) }));
  }
  return cols;
}

async function generalColumnsAsync(core: Core, cell: PreparedCell, alg: Algorithm, range: NoncomputabilityTrialRange): Promise<NoncomputabilityTrialColumns> {
  const cols = emptyColumns(range.tStart, range.count, cell.params.epsilons.length, cell.params.d);
  for (let off = 0; off < range.count; off += GENERAL_SLICE) {
    putResults(cols, off, await runGeneralAsync(core, cell, alg, { ...range, tStart: range.tStart + off, count: Math.min(GENERAL_SLICE, range.count - off) }));
  }
  return cols;
}

/** Columns → pair results. */
function fromColumns(cols: NoncomputabilityTrialColumns): NoncomputabilityPairResult[] {
  const out: NoncomputabilityPairResult[] = [];
  const { epsilons: E, d } = cols;
  for (let i = 0; i < cols.count; i++) {
    out.push({ trial: cols.tStart + i, plus: sideResult(cols.plus, i, 1, E, d), minus: sideResult(cols.minus, i, -1, E, d), identical: cols.identical[i] === 1 });
  }
  return out;
}

/**
 * The batched path of the built-in optimisers (gd, adam, restarts of either from a random init):
 * such an algorithm reads once at its budget and makes one `tools.optimise` call keyed by the first
 * two words of its stream, so trial t's two runs are known without running it through a context.
 * Whole trials — keys, optimisation of both signs, evaluation at every ε — run in WebAssembly
 * (`evaluatePairsInCore`), PAIRS_PER_CALL trials per call, and come back as columns; the theorem
 * checks of `evaluate` / `assemblePair` then run over the columns in trial order, so results and
 * errors are bit-identical to the context-by-context path. When both signs read the same data
 * (hidden reads) the kernel runs two trials per job on it instead of the same run twice. Returns
 * undefined when the algorithm or its options are not covered (the caller then runs the general path).
 */
function runPairsColumns(core: Core, cell: PreparedCell, alg: Algorithm, range: NoncomputabilityTrialRange): NoncomputabilityTrialColumns | undefined {
  if (range.algorithm || range.count === 0) return undefined;
  const call = builtInOptimiseCall(alg, cell.options);
  if (!call) return undefined;
  const { seed, streamHi, tStart, count } = range;
  const n = cell.params.readBits;
  const plusData = cell.sources.plus.answer(n);
  const minusData = cell.sources.minus.answer(n);
  let config;
  try {
    checkData('tools.optimise', cell.shape, plusData);
    checkData('tools.optimise', cell.shape, minusData);
    config = optimiseConfig('tools.optimise', cell.shape, call);
  } catch {
    return undefined; // the general path raises the same error with the trial named
  }
  if (!pairsSupported(config)) return undefined;
  const { d, samples: r } = cell.shape;
  const { epsilons, K, oracle } = cell.params;
  const E = epsilons.length;
  const truth = cell.pair.truth;
  const shared = sameBits(plusData.x, minusData.x) && sameBits(plusData.y, minusData.y);
  const hidden = oracle === 'adversarial' && n <= K;
  const floor = costFloor(truth.hStar);
  const bitsTotal = n * (r * d + r);
  const cols = emptyColumns(tStart, count, E, d);
  const [seedLo, seedHi] = splitU64(seed, 'seed');
  const read = { plus: plusData, minus: minusData };
  const exact = { plus: { x: cell.pair.plus.xF64, y: cell.pair.plus.yF64 }, minus: { x: cell.pair.minus.xF64, y: cell.pair.minus.yF64 }, sStar: truth.sStar, hStar: truth.hStar };
  for (let c0 = 0; c0 < count; c0 += PAIRS_PER_CALL) {
    const m = Math.min(PAIRS_PER_CALL, count - c0);
    const stream = { seedLo, seedHi, substream: SUBSTREAM.algorithm, tStart: tStart + c0, streamHi };
    const ev = evaluatePairsInCore(core, cell.shape, read, exact, config, stream, m, epsilons, shared);
    [cols.plus, cols.minus].forEach((side, s) => {
      const part = (field: number): Float64Array => ev.res.subarray((field * 2 + s) * m, (field * 2 + s + 1) * m);
      side.dist.set(part(0), c0);
      side.cost.set(part(1), c0);
      side.costGap.set(part(2), c0);
      side.steps.set(part(3), c0);
      const div = part(4);
      for (let i = 0; i < m; i++) side.diverged[c0 + i] = div[i]!;
      side.success.set(ev.succ.subarray(s * m * E, (s + 1) * m * E), c0 * E);
      side.probes.set(ev.probes.subarray(s * m * d, (s + 1) * m * d), c0 * d);
    });
    cols.identical.set(ev.ident, c0);
  }
  for (const side of [cols.plus, cols.minus]) {
    side.bitsRead.fill(n);
    side.reads.fill(1);
    side.bitsTotal.fill(bitsTotal);
  }
  // The theorem checks, in the order the context path makes them (trial by trial: ι⁺'s cost, ι⁻'s
  // cost, then indistinguishability); the trial is named only when one fails.
  const who = (t: number): string => where(cell, alg, seed, streamHi, t);
  for (let i = 0; i < count; i++) {
    if (cols.plus.cost[i]! < floor) throw belowMinimum(who(tStart + i), 1, cols.plus.cost[i]!, truth.hStar);
    if (cols.minus.cost[i]! < floor) throw belowMinimum(who(tStart + i), -1, cols.minus.cost[i]!, truth.hStar);
    if (hidden) {
      const row = i * E;
      const both = (e: number): boolean => cols.plus.success[row + e] === 1 && cols.minus.success[row + e] === 1;
      if (cols.identical[i] !== 1 || epsilons.some((e, k) => e < truth.epsB && both(k))) checkHidden(cell, alg, who(tStart + i), true, cols.identical[i] === 1, both);
    }
  }
  return cols;
}

/**
 * The batched path of the closed-form built-ins (coin, hedge, exact-read): each run reads once at
 * its budget and returns one of a few outputs fixed by that read, picked by the run's stream
 * (`closedFormPlan`). So per sign of the cell the read, the plan and the evaluation of each output
 * (probes, distance, true cost, success at every ε) are computed once, and per trial only the pick
 * is drawn from the trial's stream — the draws the run makes, from a fresh stream for each sign
 * as each run gets. The theorem checks run in trial order as in `assemblePair`, naming the trial,
 * so results and errors are those of the context path. Returns undefined when not covered (another
 * algorithm, an algorithm object passed in the range, or a plan that cannot be built: the
 * context path then raises that error for the trial it belongs to).
 */
function closedFormColumns(cell: PreparedCell, alg: Algorithm, range: NoncomputabilityTrialRange): NoncomputabilityTrialColumns | undefined {
  if (range.algorithm || range.count === 0) return undefined;
  const makePlan = closedFormPlan(alg);
  if (!makePlan) return undefined;
  const { seed, streamHi, tStart, count } = range;
  const { d, epsilons, K, oracle, readBits: n } = cell.params;
  const E = epsilons.length;
  const tools: Parameters<typeof makePlan>[1] = { reduced: (data, k) => reducedSolution(cell.shape, data, k), linear: (slopes) => linearNetwork(cell.shape, slopes) };
  const who = (t: number): string => where(cell, alg, seed, streamHi, t);
  type Side = { plan: ReturnType<typeof makePlan>; stats: ReadStats; evals: Array<ReturnType<typeof evaluate> | undefined> };
  const side = (sign: 1 | -1): Side | undefined => {
    const { read, stats } = countingOracle(sign === 1 ? cell.sources.plus : cell.sources.minus, n, who(tStart));
    try {
      const plan = makePlan(d, tools, read(n));
      // Every output built now: one that cannot be built (tools.linear refusing a slope) is left
      // to the context path, which raises it in the trial, and the sign order, that meets it.
      for (let i = 0; i < plan.size; i++) plan.output(i);
      return { plan, stats, evals: [] };
    } catch {
      return undefined;
    }
  };
  const plus = side(1);
  const minus = side(-1);
  if (!plus || !minus) return undefined;
  const hidden = oracle === 'adversarial' && n <= K;
  const epsB = cell.pair.truth.epsB;
  const cols = emptyColumns(tStart, count, E, d);
  const identicalOf = new Map<number, boolean>();
  for (let i = 0; i < count; i++) {
    const t = tStart + i;
    // Each run gets the trial's stream from its start (makeContext): one fresh stream per sign.
    const ip = plus.plan.pick(philoxStream(seed, SUBSTREAM.algorithm, t, streamHi));
    const im = minus.plan.pick(philoxStream(seed, SUBSTREAM.algorithm, t, streamHi));
    // An output is evaluated on the first trial that returns it, ι⁺ before ι⁻ as in assemblePair:
    // a cost below the proven minimum is thrown naming that trial, as the context path would.
    const p = (plus.evals[ip] ??= evaluate(cell, 1, { output: plus.plan.output(ip), stats: plus.stats }, who(t)));
    const m = (minus.evals[im] ??= evaluate(cell, -1, { output: minus.plan.output(im), stats: minus.stats }, who(t)));
    const key = ip * 65536 + im;
    let identical = identicalOf.get(key);
    if (identical === undefined) identicalOf.set(key, (identical = sameBits(p.theta, m.theta)));
    putSide(cols.plus, i, p.result, E, d);
    putSide(cols.minus, i, m.result, E, d);
    cols.identical[i] = identical ? 1 : 0;
    if (hidden) {
      const both = (e: number): boolean => p.result.success[e] === true && m.result.success[e] === true;
      if (!identical || epsilons.some((e, k) => e < epsB && both(k))) checkHidden(cell, alg, who(t), true, identical, both);
    }
  }
  return cols;
}

/**
 * Run trials `tStart … tStart+count−1` of a cell: for each, the algorithm on ι⁺_K and on ι⁻_K with
 * the same random stream (seed; substream, t, streamHi). Synchronous: built-in, registered and
 * already-loaded (`loadPlugin`) synchronous algorithms. Throws `CoreError('E_THEOREM')` naming the
 * seed and trial when a theorem check fails.
 */
export function runNoncomputabilityTrials(core: Core, params: Partial<NoncomputabilityParams> | Record<string, unknown>, range: NoncomputabilityTrialRange): NoncomputabilityPairResult[] {
  const { cell, alg } = setup(params, range);
  const batched = runPairsColumns(core, cell, alg, range) ?? closedFormColumns(cell, alg, range);
  if (batched) return fromColumns(batched);
  return runGeneral(core, cell, alg, range);
}

function runGeneral(core: Core, cell: PreparedCell, alg: Algorithm, range: NoncomputabilityTrialRange): NoncomputabilityPairResult[] {
  const { seed, streamHi, tStart, count } = range;
  const out: NoncomputabilityPairResult[] = [];
  for (let t = tStart; t < tStart + count; t++) {
    const who = where(cell, alg, seed, streamHi, t);
    const runs: Partial<Record<1 | -1, RunRecord>> = {};
    for (const sign of signOrder(seed, t, streamHi)) runs[sign] = runOne(core, cell, alg, sign, seed, t, streamHi, who);
    // signOrder lists both signs, so both runs are there.
    out.push(assemblePair(cell, alg, t, who, runs[1]!, runs[-1]!));
  }
  return out;
}

/**
 * As `runNoncomputabilityTrials`, but loads `params.plugin` when the algorithm is `plugin` and
 * accepts algorithms whose `run` returns a Promise. Results are identical to the synchronous runner.
 */
export async function runNoncomputabilityTrialsAsync(core: Core, params: Partial<NoncomputabilityParams> | Record<string, unknown>, range: NoncomputabilityTrialRange): Promise<NoncomputabilityPairResult[]> {
  const norm = normaliseNoncomputabilityParams(params);
  if (norm.algorithm === 'plugin' && !range.algorithm) await loadPlugin(norm.plugin!);
  const { cell, alg } = setup(norm, range);
  const batched = runPairsColumns(core, cell, alg, range) ?? closedFormColumns(cell, alg, range);
  if (batched) return fromColumns(batched);
  return runGeneralAsync(core, cell, alg, range);
}

async function runGeneralAsync(core: Core, cell: PreparedCell, alg: Algorithm, range: NoncomputabilityTrialRange): Promise<NoncomputabilityPairResult[]> {
  const { seed, streamHi, tStart, count } = range;
  const out: NoncomputabilityPairResult[] = [];
  for (let t = tStart; t < tStart + count; t++) {
    const who = where(cell, alg, seed, streamHi, t);
    const runs: Partial<Record<1 | -1, RunRecord>> = {};
    // One sign after the other, never both in flight: the order is part of the trial.
    for (const sign of signOrder(seed, t, streamHi)) runs[sign] = await runOneAsync(core, cell, alg, sign, seed, t, streamHi, who);
    out.push(assemblePair(cell, alg, t, who, runs[1]!, runs[-1]!));
  }
  return out;
}

/**
 * `runNoncomputabilityTrials` with the results as columns (`NoncomputabilityTrialColumns`, the same
 * values bit for bit). The built-in optimisers' batched path produces the columns directly, without
 * one object per run; other algorithms run through their contexts, GENERAL_SLICE trials at a time,
 * and are converted. Any count: memory is a few dozen bytes per trial plus the ε flags.
 */
export function runNoncomputabilityTrialColumns(core: Core, params: Partial<NoncomputabilityParams> | Record<string, unknown>, range: NoncomputabilityTrialRange): NoncomputabilityTrialColumns {
  const { cell, alg } = setup(params, range);
  return runPairsColumns(core, cell, alg, range) ?? closedFormColumns(cell, alg, range) ?? generalColumns(core, cell, alg, range);
}

/** `runNoncomputabilityTrialsAsync` with the results as columns (see `runNoncomputabilityTrialColumns`). */
export async function runNoncomputabilityTrialColumnsAsync(core: Core, params: Partial<NoncomputabilityParams> | Record<string, unknown>, range: NoncomputabilityTrialRange): Promise<NoncomputabilityTrialColumns> {
  const norm = normaliseNoncomputabilityParams(params);
  if (norm.algorithm === 'plugin' && !range.algorithm) await loadPlugin(norm.plugin!);
  const { cell, alg } = setup(norm, range);
  return runPairsColumns(core, cell, alg, range) ?? closedFormColumns(cell, alg, range) ?? (await generalColumnsAsync(core, cell, alg, range));
}

/** Options of `runNoncomputabilityTrial`. */
export interface SingleTrialOptions extends Pick<TrialKey, 'seed'>, Partial<Omit<TrialKey, 'seed'>> {
  /** Use this algorithm object instead of `params.algorithm`. */
  algorithm?: Algorithm;
}

/**
 * One algorithm run on one member of the pair: `(algorithm, params incl. K, readBits, epsilons;
 * sign; seed) → success per ε, dist, cost, steps, bits read, probes`. Uses the same stream as
 * trial t of `runNoncomputabilityTrials`, so it reproduces either half of a pair.
 */
export function runNoncomputabilityTrial(core: Core, params: Partial<NoncomputabilityParams> | Record<string, unknown>, sign: 1 | -1, options: SingleTrialOptions): NoncomputabilityTrialResult {
  if (sign !== 1 && sign !== -1) throw new CoreError('E_ARG', `runNoncomputabilityTrial sign: expected 1 (ι⁺_K) or -1 (ι⁻_K), got ${formatValue(sign)}`);
  const t = options.trial ?? 0;
  const streamHi = options.streamHi ?? 0;
  const { cell, alg } = setup(params, { seed: options.seed, streamHi, tStart: t, count: 1, ...(options.algorithm ? { algorithm: options.algorithm } : {}) });
  const who = where(cell, alg, options.seed, streamHi, t);
  return evaluate(cell, sign, runOne(core, cell, alg, sign, options.seed, t, streamHi, who), who).result;
}
