/**
 * Noncomputability trials (SPEC §3.5): one algorithm run on one member of a hard pair, and the
 * paired batch function of the orchestrator contract, in which both signs of trial t share the
 * random stream t.
 */
import type { TrialKey, TrialRange } from '../trials.js';
import type { Core } from '../core.js';
import { CoreError, formatValue } from '../errors.js';
import type { Algorithm, AlgorithmContext, AlgorithmOutput } from './algorithm.js';
import { builtInOptimiseCall } from './algorithms.js';
import { checkData, costTs, flattenNetwork, makeTools, optimiseConfig, optimisePairsInCore, pairsSupported, probes, type ProblemShape } from './kernel.js';
import { OracleSource, countingOracle, type ReadStats } from './oracle.js';
import { makeHardPair, type HardPair, type PairGroundTruth } from './pair.js';
import { normaliseNoncomputabilityParams, type NoncomputabilityParams } from './params.js';
import { loadPlugin, resolveAlgorithm, validateAlgorithm } from './plugin.js';
import { SUBSTREAM, philoxStream } from './rng.js';

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
    if (cost < truth.hStar - 1e-9 * Math.max(1, truth.hStar)) {
      throw new CoreError('E_THEOREM', `${who}, sign ${sign > 0 ? '+' : '−'}: output cost ${cost} is below the proven minimum h(t*) = ${truth.hStar}`);
    }
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
  const { K, oracle, epsilons } = cell.params;
  const hidden = (s: ReadStats): boolean => s.history.every((n) => n <= K);
  if (oracle === 'adversarial' && hidden(plus.stats) && hidden(minus.stats)) {
    // Indistinguishability: every answer the algorithm saw was the same on both inputs.
    const sameReads = plus.stats.history.length === minus.stats.history.length && plus.stats.history.every((n, i) => n === minus.stats.history[i]);
    if (!sameReads || !identical) {
      const plugin = alg.name !== cell.params.algorithm || cell.params.algorithm === 'plugin';
      throw new CoreError(
        'E_THEOREM',
        `${who}: the oracle answered identically on ι⁺ and ι⁻ (every read had n ≤ K) but the algorithm ${sameReads ? 'returned different networks' : 'read differently'}` +
          (plugin ? '; an algorithm must be a deterministic function of its context (randomness only from ctx.rng, no state kept between runs)' : ''),
      );
    }
    const epsB = cell.pair.truth.epsB;
    epsilons.forEach((e, i) => {
      if (e < epsB && p.result.success[i] && m.result.success[i]) {
        throw new CoreError('E_THEOREM', `${who}: one network succeeded on both inputs at ε = ${e} < ε_B = ${epsB}`);
      }
    });
  }
  return { trial: t, plus: p.result, minus: m.result, identical };
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

/** Pairs per call of the batched kernel (bounds the memory of one call: ~256 bytes per pair). */
const PAIRS_PER_CALL = 4096;

/**
 * The batched path of the built-in optimisers (gd, adam, restarts of either from a random init):
 * such an algorithm reads once at its budget and makes one `tools.optimise` call keyed by the first
 * two words of its stream, so trial t's two runs are known without running it through a context.
 * Both runs of every trial of the range go through one WebAssembly call with the signs in the two
 * lanes (optimisePairsInCore); the records are then checked and evaluated exactly as the
 * context-by-context path does (`assemblePair`), so the results are bit-identical to it. Returns
 * undefined when the algorithm or its options are not covered (the caller then runs the general path).
 */
function runPairsBatched(core: Core, cell: PreparedCell, alg: Algorithm, range: NoncomputabilityTrialRange): NoncomputabilityPairResult[] | undefined {
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
  const { d, width: W, samples: r } = cell.shape;
  const P = W * d + W;
  const bitsTotal = n * (r * d + r);
  // where(cell, alg, seed, streamHi, t) = whoHead + t + whoTail, built once per range (what follows
  // the last "trial 0" is only K and readBits)
  const who0 = where(cell, alg, seed, streamHi, 0);
  const cut = who0.lastIndexOf('trial 0') + 'trial '.length;
  const whoHead = who0.slice(0, cut);
  const whoTail = who0.slice(cut + 1);
  const out: NoncomputabilityPairResult[] = [];
  for (let c0 = 0; c0 < count; c0 += PAIRS_PER_CALL) {
    const m = Math.min(PAIRS_PER_CALL, count - c0);
    const keys = new Uint32Array(2 * m);
    for (let i = 0; i < m; i++) {
      const rng = philoxStream(seed, SUBSTREAM.algorithm, tStart + c0 + i, streamHi);
      keys[2 * i] = rng.nextU32();
      keys[2 * i + 1] = rng.nextU32();
    }
    const res = optimisePairsInCore(core, cell.shape, plusData, minusData, config, keys);
    for (let i = 0; i < m; i++) {
      const t = tStart + c0 + i;
      const rec = (lane: number): RunRecord => {
        const k = 2 * i + lane;
        const theta = res.theta.subarray(k * P, (k + 1) * P);
        const diverged = res.out[4 * k + 2] === 1;
        return {
          // views, not copies: evaluate() copies the network once (flattenNetwork)
          output: { network: { w: theta.subarray(0, W * d), v: theta.subarray(W * d) }, steps: res.out[4 * k + 1]!, cost: diverged ? Infinity : res.out[4 * k]!, diverged } as AlgorithmOutput,
          stats: { reads: 1, bitsRead: n, bitsTotal, history: [n] },
        };
      };
      out.push(assemblePair(cell, alg, t, `${whoHead}${t}${whoTail}`, rec(0), rec(1)));
    }
  }
  return out;
}

/**
 * Run trials `tStart … tStart+count−1` of a cell: for each, the algorithm on ι⁺_K and on ι⁻_K with
 * the same random stream (seed; substream, t, streamHi). Synchronous: built-in, registered and
 * already-loaded (`loadPlugin`) synchronous algorithms. Throws `CoreError('E_THEOREM')` naming the
 * seed and trial when a theorem check fails.
 */
export function runNoncomputabilityTrials(core: Core, params: Partial<NoncomputabilityParams> | Record<string, unknown>, range: NoncomputabilityTrialRange): NoncomputabilityPairResult[] {
  const { cell, alg } = setup(params, range);
  const batched = runPairsBatched(core, cell, alg, range);
  if (batched) return batched;
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
  const batched = runPairsBatched(core, cell, alg, range);
  if (batched) return batched;
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
