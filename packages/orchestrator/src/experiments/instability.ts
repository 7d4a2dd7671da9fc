/**
 * The instability experiment (SPEC §2) as the orchestrator sees it: parameters and whole trials
 * come from core-wasm (which also throws E_THEOREM when F3 fails); this file turns a batch of trial
 * records into counts and per-trial columns, names the proportions stopping rules watch, and
 * builds the summary cell.
 *
 * `method: plugin` with `plugin: ./my-trainer.mjs` trains with a user module (core-wasm
 * `loadTrainingPlugin`: a function `(ctx) => network` for the fixed architecture [d, …hidden, 1])
 * and measures the network it returns with core-wasm `runTrainingPluginTrial`, i.e. with the
 * built-in trial's own measurement stage (`measureNetwork`): every column of a built-in method,
 * bit for bit the same for the same network. `finalLoss` is the loss the plugin reports (NaN when
 * it returns a bare network).
 *
 * `method: network-file` with `network: ./net.onnx` (or paradox-network/1 JSON) measures a fixed
 * network trained elsewhere on the stripes data its user exported with `paradox stripes export
 * --seed S --trial T`: the run's seed is S, `dataTrial` is T (default 0), and the one trial of the
 * cell measures the network on that trial's T and V (stream (S, streamHi 0, T), the export's) with
 * the same measurement stage — the numbers `paradox stripes judge` prints. A cell is one network:
 * `trials: 1`; a grid over `network` (zip with `dataTrial`) compares many.
 */
import { CoreError, exactRadius, loadTrainingPlugin, runTrainingPluginTrial, type Core, type Network } from '@paradox/core-wasm';
import { networkFromBytes } from '@paradox/core-wasm/onnx';
import {
  INSTABILITY_METHODS,
  INSTABILITY_PARAM_KEYS,
  boundaryDistance,
  measureNetwork,
  normaliseInstabilityParams,
  runInstabilityTrial,
  runInstabilityTrials,
  type InstabilityParams,
  type InstabilityTrialDetail,
  type InstabilityTrialResult,
} from '@paradox/core-wasm/instability';
import { moments, type ValueStream } from '../stats/moments.js';
import type { InstabilityCell } from '../summary/types.js';
import type { Json } from '../worker/protocol.js';
import { axesOf, badParam, parseParamFile, readParamFile } from './common.js';
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

/**
 * The `exactRadius` option (a parameter of the orchestrator's instability experiment, not of the
 * core-wasm trial): exact ℓ∞ robustness radii (core-wasm exactRadius, bisection over the complete
 * verifier) of the first `points` training points of each trial, each within the relative
 * tolerance `tol` or stopped by `maxNodes` sub-boxes per verifier call. Only a node limit: a time
 * limit would make the columns depend on machine load, and sweeps are byte-identical.
 */
export interface ExactRadiusOption {
  tol: number;
  maxNodes: number;
  points: number;
}

/** Defaults of the `exactRadius` option (`exactRadius: true` takes all of them). */
export const EXACT_RADIUS_DEFAULTS = { tol: 1e-6, maxNodes: 20_000 } as const;

/** Per-trial columns of the `exactRadius` option. */
export const EXACT_RADIUS_COLUMNS = [
  'exactRadius.minLower', 'exactRadius.minUpper', 'exactRadius.medianLower', 'exactRadius.medianUpper',
  'exactRadius.maxRelWidth', 'exactRadius.undecided', 'exactRadius.capped',
] as const;

function badExact(key: string | null, allowed: string, value: unknown): never {
  const path = key === null ? ['exactRadius'] : ['exactRadius', key];
  throw new CoreError('E_ARG', `params.${path.join('.')}: expected ${allowed}, got ${JSON.stringify(value)}`, { path, allowed, value });
}

/** Validate and complete the `exactRadius` option (null when absent or false). */
function normaliseExactRadius(v: Json | undefined, p: InstabilityParams): ExactRadiusOption | null {
  if (v === undefined || v === null || v === false) return null;
  const o: Record<string, Json> = v === true ? {} : typeof v === 'object' && !Array.isArray(v) ? v : badExact(null, 'true, false or an object {tol, maxNodes, points}', v);
  for (const k of Object.keys(o)) if (!['tol', 'maxNodes', 'points'].includes(k)) badExact(k, 'one of tol, maxNodes, points', k);
  const tol = o.tol ?? EXACT_RADIUS_DEFAULTS.tol;
  if (typeof tol !== 'number' || !(tol >= 1e-12 && tol < 1)) badExact('tol', 'a relative tolerance in [1e-12, 1)', tol);
  const maxNodes = o.maxNodes ?? EXACT_RADIUS_DEFAULTS.maxNodes;
  if (typeof maxNodes !== 'number' || !Number.isInteger(maxNodes) || maxNodes < 1 || maxNodes > 10_000_000) badExact('maxNodes', 'an integer in [1, 10000000]', maxNodes);
  const points = o.points ?? p.r;
  if (typeof points !== 'number' || !Number.isInteger(points) || points < 1 || points > p.r) badExact('points', `an integer in [1, r] = [1, ${p.r}]`, points);
  if (p.norm !== 'linf') badExact(null, 'norm: linf (the exact radius is an ℓ∞ radius)', v);
  return { tol, maxNodes, points };
}

/** The core-wasm trial's parameters: all but the orchestrator's own (`exactRadius`, `plugin`, `network`, `dataTrial`); a plugin or network-file cell is measured as `train` would be configured. */
function trialParams(params: Record<string, Json>): Record<string, Json> {
  const { exactRadius: _e, plugin: _p, network: _n, dataTrial: _d, ...rest } = params;
  return rest.method === 'plugin' || rest.method === 'network-file' ? { ...rest, method: 'train' } : rest;
}

/** Methods a spec may name: the built-ins, `plugin` (a training plugin module) and `network-file` (a network trained elsewhere). */
const METHODS = [...INSTABILITY_METHODS, 'plugin', 'network-file'];

/** What `network` must name. */
const NETWORK_FILE = 'a fully connected ReLU network file (.onnx or paradox-network/1 JSON)';

/** Network files of `method: network-file`, read once per process (validation, summary, each worker). */
const networkFiles = new Map<string, Network>();

/** The network file at `path`, checked against the problem's input dimension d (one output); errors located at `network`. */
function networkFile(path: string, d: number): Network {
  let net = networkFiles.get(path);
  if (net === undefined) {
    const bytes = readParamFile('network', path);
    try {
      net = networkFromBytes(bytes, path);
    } catch (e) {
      // What is wrong with the file goes into the value the spec error shows.
      const why = ((e as Error).message ?? String(e)).replace(`${path}: `, '');
      net = parseParamFile('network', path, NETWORK_FILE, () => badParam('network', NETWORK_FILE, `${path} (${why})`));
    }
    networkFiles.set(path, net);
  }
  const out = net.dims[net.dims.length - 1];
  if (net.dims[0] !== d || out !== 1) {
    badParam('network', `${NETWORK_FILE} with d = ${d} inputs and one output ([${d}, …, 1], the stripes problem's)`, `${path} with dims [${net.dims.join(', ')}]`);
  }
  return net;
}

/**
 * The error of a plugin trial, located: `trial` set (the worker reports it with the cell and seed).
 * runTrainingPluginTrial already names the plugin, seed and trial in its message.
 */
function located(e: unknown, trial: number): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (typeof (err as { trial?: unknown }).trial !== 'number') Object.assign(err, { trial });
  return err;
}

/** The k-th smallest (0-based) of the values. */
const kth = (v: number[], k: number): number => [...v].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[k]!;

/**
 * The exact-radius columns of one trial: per point r ∈ [lower, upper] exactly, so the order
 * statistics of the lower ends bound those of r from below and the upper ends from above (min and
 * the lower median). The ball is capped just below the nearest stripe boundary (the label is
 * constant inside): a point verified up to the cap has upper = ∞ and counts as `capped`.
 */
function exactColumns(core: Core, t: InstabilityTrialDetail, p: InstabilityParams, o: ExactRadiusOption): Record<string, number> {
  const lower: number[] = [];
  const upper: number[] = [];
  let undecided = 0;
  let capped = 0;
  let maxRel = 0;
  for (let i = 0; i < o.points; i++) {
    const x = t.train.x.subarray(i * p.d, (i + 1) * p.d);
    const cap = boundaryDistance(x[0]!, p.m) * (1 - 2 ** -50);
    const r = exactRadius(core, t.network, x, t.train.y[i]!, 'binary', { maxRadius: cap, tol: o.tol, maxNodes: o.maxNodes, timeLimit: Infinity });
    lower.push(r.lower);
    upper.push(r.upper);
    if (r.status !== 'converged') undecided++;
    if (r.upper === Infinity && r.status === 'converged') capped++;
    if (r.upper > 0 && Number.isFinite(r.upper)) maxRel = Math.max(maxRel, (r.upper - r.lower) / r.upper);
  }
  const k = (o.points - 1) >> 1;
  return {
    'exactRadius.minLower': Math.min(...lower),
    'exactRadius.minUpper': Math.min(...upper),
    'exactRadius.medianLower': kth(lower, k),
    'exactRadius.medianUpper': kth(upper, k),
    'exactRadius.maxRelWidth': maxRel,
    'exactRadius.undecided': undecided,
    'exactRadius.capped': capped,
  };
}

/** Fixed architectures report their dims; data-dependent widths report null. */
function architecture(p: InstabilityParams): number[] | null {
  if (p.method === 'train' || p.method === 'adversarial-train' || (p.method as string) === 'plugin') return [p.d, ...p.hidden, 1];
  if ((p.method as string) === 'network-file') return [...networkFile((p as unknown as { network: string }).network, p.d).dims];
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

/** Empty counts and columns for a batch of `n` trials. */
function emptyBatch(n: number, radii: number[], exact: boolean): BatchData {
  const columns: Record<string, Float64Array> = {};
  for (const name of Object.keys(SCALARS)) columns[name] = new Float64Array(n);
  if (exact) for (const name of EXACT_RADIUS_COLUMNS) columns[name] = new Float64Array(n);
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
  paramKeys: [...INSTABILITY_PARAM_KEYS, 'exactRadius', 'plugin', 'network', 'dataTrial'],
  fileParams: ['plugin', 'network'],
  pluginExpected: 'a module that exists and exports a training plugin (a function (ctx) => network, default export or `trainingPlugin`)',

  normaliseParams(params) {
    const method = params.method;
    if (typeof method === 'string' && !METHODS.includes(method)) {
      const allowed = `one of ${METHODS.join(', ')}`;
      throw new CoreError('E_ARG', `params.method: expected ${allowed}, got ${JSON.stringify(method)}`, { path: ['method'], allowed, value: method, choices: METHODS });
    }
    const plugin = params.plugin;
    if (method === 'plugin') {
      if (typeof plugin !== 'string' || plugin.length === 0) {
        const allowed = 'the path of a training plugin module (with method: plugin)';
        throw new CoreError('E_ARG', `params.plugin: expected ${allowed}, got ${JSON.stringify(plugin ?? null)}`, { path: ['plugin'], allowed, value: plugin ?? null });
      }
    } else if (plugin !== undefined && (typeof plugin !== 'string' || plugin.length === 0)) {
      // Kept but unused by the built-in methods (as Result II's `plugin` with a built-in algorithm),
      // so `grid: { method: [train, plugin] }, fixed: { plugin }` compares a plugin with a built-in.
      const allowed = 'the path of a training plugin module';
      throw new CoreError('E_ARG', `params.plugin: expected ${allowed}, got ${JSON.stringify(plugin)}`, { path: ['plugin'], allowed, value: plugin });
    }
    const network = params.network;
    const dataTrial = params.dataTrial ?? 0;
    if (method === 'network-file') {
      if (typeof network !== 'string' || network.length === 0) badParam('network', `the path of ${NETWORK_FILE} (with method: network-file)`, network ?? null);
      if (typeof dataTrial !== 'number' || !Number.isInteger(dataTrial) || dataTrial < 0 || dataTrial >= 2 ** 32) {
        badParam('dataTrial', 'an integer in [0, 2^32): the --trial of `paradox stripes export` the network was trained on', dataTrial);
      }
    } else {
      // Kept but unused by the other methods, as `plugin` is: `grid: { method: [train, network-file] }` compares them.
      if (network !== undefined && (typeof network !== 'string' || network.length === 0)) badParam('network', `the path of ${NETWORK_FILE}`, network);
      if (params.dataTrial !== undefined) badParam('dataTrial', 'nothing unless method: network-file (the exported trial a network file was trained on)', params.dataTrial);
    }
    const p = normaliseInstabilityParams(trialParams(params));
    const exact = normaliseExactRadius(params.exactRadius, p);
    const exactParam: Record<string, Json> = exact ? { exactRadius: exact as unknown as Json } : {};
    if (method === 'plugin') return { ...(p as unknown as Record<string, Json>), method: 'plugin', plugin: plugin as string, ...(network !== undefined ? { network } : {}), ...exactParam };
    if (method === 'network-file') {
      networkFile(network as string, p.d);
      return { ...(p as unknown as Record<string, Json>), method: 'network-file', network: network as string, dataTrial, ...(plugin !== undefined ? { plugin } : {}), ...exactParam };
    }
    return {
      ...(p as unknown as Record<string, Json>),
      ...(plugin !== undefined ? { plugin } : {}),
      ...(network !== undefined ? { network } : {}),
      ...exactParam,
    };
  },

  check(params, _seed, maxTrials) {
    if (params.method === 'network-file' && maxTrials !== undefined && maxTrials !== 1) {
      badParam('trials', 'trials: 1 with method: network-file (a cell is one network measured on its exported data: one trial)', maxTrials);
    }
  },

  pluginPath(params) {
    return params.method === 'plugin' ? (params.plugin as string) : null;
  },

  async loadPlugin(path) {
    await loadTrainingPlugin(path);
  },

  async runBatch(core, params, stream) {
    const p = asParams(params);
    const radii = p.radii;
    const exact = (params.exactRadius ?? null) as ExactRadiusOption | null;
    /** The exact-radius columns of batch position i from a trial's network and data. */
    const exactInto = (data: BatchData, i: number, r: InstabilityTrialDetail): void => {
      if (!exact) return;
      const cols = r.diverged ? null : exactColumns(core, r, p, exact);
      for (const name of EXACT_RADIUS_COLUMNS) (data.columns[name] as Float64Array)[i] = cols ? cols[name]! : NaN;
    };
    if ((p.method as string) === 'network-file') {
      // One trial: the network on the data its user exported (stream (seed, streamHi 0, dataTrial), as `paradox stripes export`).
      if (stream.tStart !== 0 || stream.count !== 1) throw new CoreError('E_ARG', `trials ${stream.tStart}..${stream.tStart + stream.count - 1}: a network-file cell has one trial`);
      stream.onTrials?.(0, 0);
      const net = networkFile(params.network as string, p.d);
      const measured = measureNetwork(core, trialParams(params), { seed: stream.seed, streamHi: 0, trial: params.dataTrial as number }, net);
      const data = emptyBatch(1, radii, exact !== null);
      fill(data, 0, [measured], radii);
      exactInto(data, 0, measured);
      return data;
    }
    if ((p.method as string) === 'plugin') {
      // One trial per call, each marked first: an exception, a malformed network or a loop past
      // the batch deadline is located to its trial. Loaded before any trial is marked, so a slow
      // import is not blamed on a trial.
      const path = params.plugin as string;
      const plugin = await loadTrainingPlugin(path);
      const data = emptyBatch(stream.count, radii, exact !== null);
      for (let i = 0; i < stream.count; i++) {
        const t = stream.tStart + i;
        stream.onTrials?.(t, t);
        let measured: InstabilityTrialDetail;
        try {
          measured = runTrainingPluginTrial(core, trialParams(params), { seed: stream.seed, streamHi: stream.streamHi, trial: t }, plugin, `training plugin ${JSON.stringify(path)}`).measured;
        } catch (e) {
          throw located(e, t);
        }
        fill(data, i, [measured], radii);
        exactInto(data, i, measured);
      }
      return data;
    }
    const data = emptyBatch(stream.count, radii, exact !== null);
    for (let off = 0; off < stream.count; off += TRIAL_SLICE) {
      const range = { seed: stream.seed, streamHi: stream.streamHi, tStart: stream.tStart + off, count: Math.min(TRIAL_SLICE, stream.count - off) };
      stream.onTrials?.(range.tStart, range.tStart + range.count - 1);
      // With exactRadius each trial is run with its network and data (the same numbers as the batch call).
      const results: InstabilityTrialResult[] = exact
        ? Array.from({ length: range.count }, (_, i) => runInstabilityTrial(core, trialParams(params), { seed: range.seed, streamHi: range.streamHi, trial: range.tStart + i }))
        : runInstabilityTrials(core, trialParams(params), range);
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
      if (exact) results.forEach((r, i) => exactInto(data, off + i, r as InstabilityTrialDetail));
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
      axes: axesOf(cell),
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
    const ex = (cell.params.exactRadius ?? null) as ExactRadiusOption | null;
    if (ex) {
      out.exactRadius = {
        ...ex,
        minLower: m('exactRadius.minLower'),
        minUpper: m('exactRadius.minUpper'),
        medianLower: m('exactRadius.medianLower'),
        medianUpper: m('exactRadius.medianUpper'),
        maxRelWidth: m('exactRadius.maxRelWidth'),
        undecided: m('exactRadius.undecided'),
        capped: m('exactRadius.capped'),
      };
    }
    return out;
  },
};
