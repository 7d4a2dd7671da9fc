/**
 * The noncomputability experiment (SPEC §3) as the orchestrator sees it: parameters and trials
 * come from core-wasm; this file says how a batch of paired trials becomes counts and columns,
 * which proportions the stopping rules watch, the run-level theorem guard, and the summary cell.
 */
import { CoreError } from '@paradox/core-wasm';
import {
  BUILT_IN_ALGORITHMS,
  loadPlugin,
  resolveAlgorithm,
  type Algorithm,
  type AlgorithmOutput,
  NONCOMPUTABILITY_PARAM_KEYS,
  noncomputabilityConstants,
  normaliseNoncomputabilityParams,
  runNoncomputabilityTrialColumns,
  runNoncomputabilityTrialColumnsAsync,
  type NoncomputabilityConstants,
  type NoncomputabilityParams,
  type NoncomputabilityTrialColumns,
} from '@paradox/core-wasm/noncomputability';
import type { ValueStream } from '../stats/moments.js';
import { moments } from '../stats/moments.js';
import { minInterval, sumInterval } from '../stats/intervals.js';
import type { Cell } from '../spec/types.js';
import type { NoncomputabilityCell } from '../summary/types.js';
import type { Json } from '../worker/protocol.js';
import { axesOf } from './common.js';
import type { BatchData, ExperimentDefinition } from './types.js';

/** Per-trial columns stored for each sign (`dist+`, `dist-`, ...). */
export const NONCOMPUTABILITY_COLUMNS = ['dist', 'cost', 'costGap', 'steps', 'bitsRead'] as const;

const ALGORITHMS = [...BUILT_IN_ALGORITHMS, 'plugin'];

/**
 * The seed's constants of a cell, computed once per (cell, seed): the guard runs at every frontier
 * step of a run and the constants do not change with the trials.
 */
const constantsOf = (() => {
  const memo = new WeakMap<Cell, { seed: number; value: NoncomputabilityConstants }>();
  return (cell: Cell, seed: number): NoncomputabilityConstants => {
    const hit = memo.get(cell);
    if (hit?.seed === seed) return hit.value;
    const value = noncomputabilityConstants(cell.params, seed);
    memo.set(cell, { seed, value });
    return value;
  };
})();

function asParams(p: Record<string, Json>): NoncomputabilityParams {
  return p as unknown as NoncomputabilityParams;
}

/** Concatenate streams (plus then minus), for quantities pooled over both signs. */
function chain(...streams: ValueStream[]): ValueStream {
  return function* () {
    for (const s of streams) yield* s();
  };
}

/** Empty counts and columns for a batch of `n` pairs. */
function emptyBatch(n: number, epsilons: number[]): BatchData {
  const columns: Record<string, Float64Array> = {};
  for (const c of NONCOMPUTABILITY_COLUMNS) {
    columns[`${c}+`] = new Float64Array(n);
    columns[`${c}-`] = new Float64Array(n);
  }
  const counts: Record<string, number> = { 'diverged+': 0, 'diverged-': 0, identical: 0 };
  epsilons.forEach((_, i) => {
    counts[`succ+.${i}`] = 0;
    counts[`succ-.${i}`] = 0;
    counts[`both.${i}`] = 0;
  });
  return { counts, columns };
}

/**
 * Add the trial columns of core-wasm for batch positions offset, offset + 1, … into `data`: typed
 * array copies and one pass over the byte flags for the counts, no object per pair (this runs for
 * every pair of a sweep, and cheap algorithms take only a few microseconds per pair).
 */
function fill(data: BatchData, offset: number, cols: NoncomputabilityTrialColumns): void {
  const { counts, columns } = data;
  const n = cols.count;
  const E = cols.epsilons;
  const add = (key: string, flags: Uint8Array, start: number, stride: number): void => {
    let acc = 0;
    for (let i = 0, k = start; i < n; i++, k += stride) acc += flags[k]!;
    counts[key] = (counts[key] as number) + acc;
  };
  for (const [s, side] of [['+', cols.plus], ['-', cols.minus]] as const) {
    for (const c of NONCOMPUTABILITY_COLUMNS) (columns[`${c}${s}`] as Float64Array).set(side[c], offset);
    add(`diverged${s}`, side.diverged, 0, 1);
  }
  add('identical', cols.identical, 0, 1);
  const sp = cols.plus.success;
  const sm = cols.minus.success;
  for (let e = 0; e < E; e++) {
    add(`succ+.${e}`, sp, e, E);
    add(`succ-.${e}`, sm, e, E);
    let both = 0;
    for (let i = 0, k = e; i < n; i++, k += E) both += sp[k]! & sm[k]!;
    counts[`both.${e}`] = (counts[`both.${e}`] as number) + both;
  }
}

/**
 * Trials per call into core-wasm: the unit of the progress marks (`onTrials`: a trial past the
 * deadline is located to its slice) and of the worker's memory (results do not depend on the
 * slicing: trial t has stream t). Small on purpose: the context path (coin, hedge, …) builds a
 * record per trial, alive when the young generation is scavenged, and a scavenge costs in
 * proportion to what survives (2048 records per slice: ~35 % of a cheap algorithm's worker time in
 * scavenges, 64: ~10 %). The batched optimisers return columns directly, for which a call of 64
 * trials (≥ 1 ms of kernel time) costs little more than one of the whole batch.
 */
export const TRIAL_SLICE = 64;

/** Count of a plugin cell's runs (two per trial) whose output network held a NaN weight. */
export const PLUGIN_NAN = 'plugin.nanOutputs';

/** True when an algorithm's output network has a NaN weight (malformed outputs are left to the trial's own checks). */
function hasNaN(out: unknown): boolean {
  const net = (out as { network?: { w?: unknown; v?: unknown } } | null | undefined)?.network;
  const nan = (xs: unknown): boolean => {
    if (!xs || typeof xs !== 'object' || typeof (xs as ArrayLike<unknown>).length !== 'number') return false;
    const a = xs as ArrayLike<unknown>;
    for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) return true;
    return false;
  };
  return !!net && (nan(net.w) || nan(net.v));
}

/**
 * The error of a plugin trial, located: `trial` set (the worker reports it with the cell and seed),
 * and an exception thrown by the plugin's own code (not a paradox check, which carries a code and
 * already names the trial) says that it came from the plugin.
 */
function pluginFailure(e: unknown, trial: number, plugin: string): Error {
  if (e instanceof CoreError) {
    if (typeof (e as { trial?: unknown }).trial !== 'number') Object.assign(e, { trial });
    return e;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const wrapped = new Error(`the plugin algorithm ${JSON.stringify(plugin)} threw at trial ${trial}: ${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`, { cause: err });
  // The plugin's own frames, under the new message (shown with --debug).
  if (err.stack !== undefined) wrapped.stack = `Error: ${wrapped.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
  return Object.assign(wrapped, { trial });
}

/** The noncomputability experiment. */
export const noncomputability: ExperimentDefinition = {
  name: 'noncomputability',
  paramKeys: NONCOMPUTABILITY_PARAM_KEYS,
  fileParams: ['plugin'],

  normaliseParams(params) {
    const alg = params.algorithm;
    if (typeof alg === 'string' && !ALGORITHMS.includes(alg)) {
      // Registered algorithms exist only in the process that registered them: a spec may name the built-ins and plugin.
      const allowed = `one of ${ALGORITHMS.join(', ')}`;
      throw new CoreError('E_ARG', `params.algorithm: expected ${allowed}, got ${JSON.stringify(alg)}`, { path: ['algorithm'], allowed, value: alg, choices: ALGORITHMS });
    }
    return normaliseNoncomputabilityParams(params) as unknown as Record<string, Json>;
  },

  check(params, seed) {
    // λ must leave a non-zero minimiser for the pair's scales, which come from the seed.
    noncomputabilityConstants(params, seed);
  },

  pluginPath(params) {
    const p = asParams(params);
    return p.algorithm === 'plugin' ? p.plugin : null;
  },

  async loadPlugin(path) {
    await loadPlugin(path);
  },

  async runBatch(core, params, stream) {
    const p = asParams(params);
    const data = emptyBatch(stream.count, p.epsilons);
    if (p.algorithm === 'plugin') {
      // A plugin runs one trial per call (the cell is prepared once per thread, so this costs
      // little): an exception, a loop past the deadline or a NaN output is then located to its
      // trial. Plugins may be asynchronous (the async runner takes them); loaded here, before any
      // trial is marked, so a slow import is not blamed on a trial.
      await loadPlugin(p.plugin as string);
      // The plugin, watched: runs whose network holds a NaN weight are counted (the trial records
      // them as diverged; the summary and headline say how many came from NaN).
      data.counts[PLUGIN_NAN] = 0;
      const plugin = resolveAlgorithm('plugin', p.plugin);
      const watch = (out: AlgorithmOutput): AlgorithmOutput => {
        if (hasNaN(out)) data.counts[PLUGIN_NAN] = (data.counts[PLUGIN_NAN] as number) + 1;
        return out;
      };
      const watched = Object.create(plugin, {
        run: {
          value: (ctx: Parameters<Algorithm['run']>[0]) => {
            const out = plugin.run(ctx);
            return typeof (out as { then?: unknown } | null)?.then === 'function' ? Promise.resolve(out).then(watch) : watch(out as AlgorithmOutput);
          },
        },
      }) as Algorithm;
      for (let i = 0; i < stream.count; i++) {
        const t = stream.tStart + i;
        stream.onTrials?.(t, t);
        let cols: NoncomputabilityTrialColumns;
        try {
          cols = await runNoncomputabilityTrialColumnsAsync(core, params, { seed: stream.seed, streamHi: stream.streamHi, tStart: t, count: 1, algorithm: watched });
        } catch (e) {
          throw pluginFailure(e, t, p.plugin ?? '(plugin)');
        }
        fill(data, i, cols);
      }
      return data;
    }
    for (let off = 0; off < stream.count; off += TRIAL_SLICE) {
      const range = { seed: stream.seed, streamHi: stream.streamHi, tStart: stream.tStart + off, count: Math.min(TRIAL_SLICE, stream.count - off) };
      stream.onTrials?.(range.tStart, range.tStart + range.count - 1);
      fill(data, off, runNoncomputabilityTrialColumns(core, params, range));
    }
    return data;
  },

  tracked(params, counts, trials) {
    const eps = asParams(params).epsilons;
    return eps.flatMap((e, i) => [
      { name: `p+ at eps=${e}`, k: counts[`succ+.${i}`] ?? 0, n: trials },
      { name: `p- at eps=${e}`, k: counts[`succ-.${i}`] ?? 0, n: trials },
    ]);
  },

  guard(cell, counts, trials, seed, confidence) {
    const p = asParams(cell.params);
    // Where every read is hidden (n ≤ K under the adversarial oracle), one network answers both
    // inputs, so below ε_B at most one sign succeeds per seed and p⁺ + p⁻ ≤ 1.
    if (!(p.readBits <= p.K && p.oracle === 'adversarial') || trials === 0) return null;
    const { epsB } = constantsOf(cell, seed);
    for (let i = 0; i < p.epsilons.length; i++) {
      const e = p.epsilons[i] as number;
      if (!(e < epsB)) continue;
      const kp = counts[`succ+.${i}`] ?? 0;
      const km = counts[`succ-.${i}`] ?? 0;
      // The interval's lower end is below the estimate, so it can only exceed 1 when p̂⁺ + p̂⁻ does.
      if (kp + km <= trials) continue;
      const [lo, hi] = sumInterval(kp, trials, km, trials, confidence);
      if (lo > 1) {
        return `p̂⁺ + p̂⁻ = ${(kp + km) / trials} > 1 beyond its interval [${lo}, ${hi}] at ε = ${e} < ε_B = ${epsB} with readBits ${p.readBits} ≤ K ${p.K}`;
      }
    }
    return null;
  },

  summarise({ cell, seed, trials, complete, counts, columns, proportion, confidence }) {
    const p = asParams(cell.params);
    const truth = constantsOf(cell, seed);
    const eps = p.epsilons.map((e, i) => {
      const kp = counts[`succ+.${i}`] ?? 0;
      const km = counts[`succ-.${i}`] ?? 0;
      const pp = trials === 0 ? 0 : kp / trials;
      const pm = trials === 0 ? 0 : km / trials;
      return {
        eps: e,
        belowBreakdown: e < truth.epsB,
        plus: proportion(kp, trials),
        minus: proportion(km, trials),
        min: { p: Math.min(pp, pm), ci: minInterval(kp, trials, km, trials, confidence) },
        sum: { p: pp + pm, ci: sumInterval(kp, trials, km, trials, confidence) },
      };
    });
    const out: NoncomputabilityCell = {
      experiment: 'noncomputability',
      cellKey: cell.key,
      axes: axesOf(cell),
      params: cell.params,
      complete,
      algorithm: p.algorithm,
      K: p.K,
      readBits: p.readBits,
      sStar: truth.sStar,
      epsB: truth.epsB,
      trials,
      eps,
      dist: { plus: moments(columns('dist+')), minus: moments(columns('dist-')) },
      bitsRead: moments(chain(columns('bitsRead+'), columns('bitsRead-'))),
      cost: moments(chain(columns('cost+'), columns('cost-'))),
    };
    if (p.algorithm === 'plugin') out.pluginNaN = { runs: counts[PLUGIN_NAN] ?? 0, of: 2 * trials };
    return out;
  },
};
