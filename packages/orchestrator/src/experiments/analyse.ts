/**
 * `analyse` as a sweep experiment: a user's network on a user's data set (core-wasm `analysePoint`,
 * the same analysis as `paradox analyse`), so that many networks, data sets, norms or attack seeds
 * run through the orchestrator, resumable and byte-identical for any worker count or batch size.
 * Trial t of a cell is data point t (the first `trials` points): its bracket [certified, attacked]
 * and the rest of the point's record become the per-trial columns; counts hold accuracy and robust
 * accuracy at each radius from both ends. The attack seed is the run seed unless the cell sets
 * `attackSeed`, and point t draws from its own stream (seed, stream t), so a point's result does
 * not depend on which batch or worker ran it.
 *
 * Files: `network` (.onnx or paradox-network/1 JSON, core-wasm `networkFromBytes`), `data` (.csv,
 * .json, or .npy with `labels`, core-wasm `dataFromBytes`); relative paths in a spec file are
 * resolved next to the spec (spec/parse.ts `resolvePluginPaths`). They are read when the spec is
 * validated (every problem reported against its grid/zip/fixed entry) and again by each worker.
 */
import {
  analysePoint,
  ANALYSE_DEFAULTS,
  checkAnalyseOptions,
  CoreError,
  dataFromBytes,
  makeBox,
  type AnalyseOptions,
  type Dataset,
  dataShape,
  type Network,
  type PointAnalysis,
} from '@paradox/core-wasm';
import { networkFromBytes } from '@paradox/core-wasm/onnx';
import { moments } from '../stats/moments.js';
import type { AnalyseCell } from '../summary/types.js';
import type { Json } from '../worker/protocol.js';
import { axesOf, badParam as bad, parseParamFile, readParamFile as readBytes } from './common.js';
import type { BatchData, ExperimentDefinition } from './types.js';

/** Parameters of an analyse cell (after normalisation: every key present). */
export interface AnalyseSweepParams {
  network: string;
  data: string;
  labels: string | null;
  criterion: 'binary' | 'multiclass' | null;
  argmin: boolean;
  norm: 'linf' | 'l2';
  radii: number[];
  maxRadius: number;
  /** Input box [lo, hi] for every coordinate; null: the data file's box if it has one, else none. */
  box: [number, number] | null;
  cert: 'crown' | 'ibp';
  directed: boolean;
  certIters: number;
  attackIters: number;
  steps: number;
  restarts: number;
  queries: number;
  deepfoolIters: number;
  /** Seed of the attack streams; null: the run seed. */
  attackSeed: number | null;
}

/** Every parameter an analyse cell accepts. */
export const ANALYSE_PARAM_KEYS: readonly (keyof AnalyseSweepParams)[] = [
  'network', 'data', 'labels', 'criterion', 'argmin', 'norm', 'radii', 'maxRadius', 'box', 'cert', 'directed',
  'certIters', 'attackIters', 'steps', 'restarts', 'queries', 'deepfoolIters', 'attackSeed',
];

/** Per-trial (per-point) columns stored by analyse cells. */
export const ANALYSE_COLUMNS = ['label', 'predicted', 'correct', 'score', 'certified', 'attacked', 'gap', 'witness', 'droppedCandidates'] as const;

/** Witness status as a stored number: 0 none found, 1 confirmed, 2 nudged, 3 dropped. */
const WITNESS_CODE: Record<string, number> = { confirmed: 1, nudged: 2, dropped: 3 };

const INTS: [keyof AnalyseSweepParams, number, number][] = [
  ['certIters', 1, 60], ['attackIters', 0, 60], ['steps', 1, 10000], ['restarts', 1, 1000], ['queries', 0, 100000], ['deepfoolIters', 0, 10000],
];

function normalise(p: Record<string, Json>): AnalyseSweepParams {
  for (const k of Object.keys(p)) {
    if (!(ANALYSE_PARAM_KEYS as readonly string[]).includes(k)) {
      const allowed = ANALYSE_PARAM_KEYS.join(', ');
      throw new CoreError('E_ARG', `params.${k}: unknown parameter; allowed: ${allowed}`, { path: [k], allowed: `a parameter name: ${allowed}`, value: p[k], choices: ANALYSE_PARAM_KEYS });
    }
  }
  const get = <T>(k: keyof AnalyseSweepParams, d: T): T => (p[k] === undefined ? d : (p[k] as T));
  const path = (k: keyof AnalyseSweepParams, required: boolean): string | null => {
    const v = p[k];
    if (v === undefined || v === null) return required ? bad(k, 'a file path', v ?? null) : null;
    if (typeof v !== 'string' || v === '') bad(k, 'a file path', v);
    return v;
  };
  const out: AnalyseSweepParams = {
    network: path('network', true)!,
    data: path('data', true)!,
    labels: path('labels', false),
    criterion: get('criterion', null),
    argmin: get('argmin', ANALYSE_DEFAULTS.argmin),
    norm: get('norm', ANALYSE_DEFAULTS.norm),
    radii: get('radii', ANALYSE_DEFAULTS.radii),
    maxRadius: get('maxRadius', ANALYSE_DEFAULTS.maxRadius),
    box: get('box', null),
    cert: get('cert', ANALYSE_DEFAULTS.cert),
    directed: get('directed', ANALYSE_DEFAULTS.directed),
    certIters: get('certIters', ANALYSE_DEFAULTS.certIters),
    attackIters: get('attackIters', ANALYSE_DEFAULTS.attackIters),
    steps: get('steps', ANALYSE_DEFAULTS.steps),
    restarts: get('restarts', ANALYSE_DEFAULTS.restarts),
    queries: get('queries', ANALYSE_DEFAULTS.queries),
    deepfoolIters: get('deepfoolIters', ANALYSE_DEFAULTS.deepfoolIters),
    attackSeed: get('attackSeed', null),
  };
  if (out.criterion !== null && out.criterion !== 'binary' && out.criterion !== 'multiclass') bad('criterion', 'binary, multiclass or null (from the output count)', out.criterion);
  if (typeof out.argmin !== 'boolean') bad('argmin', 'true or false', out.argmin);
  if (out.norm !== 'linf' && out.norm !== 'l2') bad('norm', 'linf or l2', out.norm);
  if (out.cert !== 'crown' && out.cert !== 'ibp') bad('cert', 'crown or ibp', out.cert);
  if (typeof out.directed !== 'boolean') bad('directed', 'true or false', out.directed);
  if (!(typeof out.maxRadius === 'number' && out.maxRadius > 0 && Number.isFinite(out.maxRadius))) bad('maxRadius', 'a radius > 0', out.maxRadius);
  if (!Array.isArray(out.radii) || !out.radii.every((r) => typeof r === 'number' && r >= 0 && r <= out.maxRadius)) bad('radii', `a list of radii in [0, maxRadius = ${out.maxRadius}]`, out.radii);
  if (out.box !== null && !(Array.isArray(out.box) && out.box.length === 2 && out.box.every((v) => typeof v === 'number' && Number.isFinite(v)) && out.box[0] < out.box[1])) {
    bad('box', '[lo, hi] with lo < hi, or null', out.box);
  }
  for (const [k, lo, hi] of INTS) {
    const v = out[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(k, `an integer in [${lo}, ${hi}]`, v);
  }
  if (out.attackSeed !== null && !(typeof out.attackSeed === 'number' && Number.isSafeInteger(out.attackSeed) && out.attackSeed >= 0)) bad('attackSeed', 'an integer ≥ 0, or null (the run seed)', out.attackSeed);
  return out;
}

/** A cell's network and data, read once per process (validation and each worker). */
interface Loaded {
  net: Network;
  data: Dataset<Float64Array>;
  /** Points in the data set. */
  n: number;
  d: number;
  fileBox: [number, number] | undefined;
}

const cache = new Map<string, Loaded>();

const ALLOWED_FILE = {
  network: 'a fully connected ReLU network (.onnx or paradox-network/1 JSON)',
  data: 'a data file (.csv, .json, or .npy with labels)',
} as const;

function withPath<T>(key: 'network' | 'data', path: string, f: () => T): T {
  return parseParamFile(key, path, ALLOWED_FILE[key], f);
}

function load(p: AnalyseSweepParams): Loaded {
  const key = JSON.stringify([p.network, p.data, p.labels]);
  const hit = cache.get(key);
  if (hit) return hit;
  const net = withPath('network', p.network, () => networkFromBytes(readBytes('network', p.network), p.network));
  const labels = p.labels === null ? undefined : readBytes('labels', p.labels);
  const { data, box } = withPath('data', p.data, () => dataFromBytes(readBytes('data', p.data), p.data, labels));
  const loaded = { net, data, fileBox: box, ...withPath('data', p.data, () => dataShape(data)) };
  cache.set(key, loaded);
  return loaded;
}

/** The core-wasm options of a cell (box from the cell, else from the data file). */
function optionsOf(p: AnalyseSweepParams, l: Loaded, seed: number): AnalyseOptions {
  const range = p.box ?? l.fileBox ?? null;
  return {
    ...(p.criterion !== null ? { criterion: p.criterion } : {}),
    argmin: p.argmin,
    norm: p.norm,
    radii: p.radii,
    maxRadius: p.maxRadius,
    box: range === null ? null : makeBox(l.d, range[0], range[1], l.data),
    cert: p.cert,
    directed: p.directed,
    certIters: p.certIters,
    attackIters: p.attackIters,
    steps: p.steps,
    restarts: p.restarts,
    queries: p.queries,
    deepfoolIters: p.deepfoolIters,
    seed: p.attackSeed ?? seed,
  };
}

function asParams(p: Record<string, Json>): AnalyseSweepParams {
  return p as unknown as AnalyseSweepParams;
}

/** Counts of a batch: correct points, and per radius the points certified and those no attack broke. */
function emptyBatch(n: number, radii: number[]): BatchData {
  const columns: Record<string, Float64Array> = {};
  for (const c of ANALYSE_COLUMNS) columns[c] = new Float64Array(n);
  const counts: Record<string, number> = { correct: 0, nudged: 0, dropped: 0, certContradictions: 0 };
  radii.forEach((_, i) => {
    counts[`cert.${i}`] = 0;
    counts[`attack.${i}`] = 0;
  });
  return { counts, columns };
}

function fill(data: BatchData, j: number, r: PointAnalysis, radii: number[]): void {
  const { counts, columns } = data;
  const set = (name: string, v: number) => {
    (columns[name] as Float64Array)[j] = v;
  };
  set('label', r.label);
  set('predicted', r.predicted);
  set('correct', r.correct ? 1 : 0);
  set('score', r.score);
  set('certified', r.certified);
  set('attacked', r.attacked);
  set('gap', r.gap);
  set('witness', r.witness === null ? 0 : (WITNESS_CODE[r.witness] ?? 0));
  set('droppedCandidates', r.droppedCandidates);
  const inc = (k: string, by = 1) => {
    counts[k] = (counts[k] ?? 0) + by;
  };
  if (r.correct) inc('correct');
  if (r.witness === 'nudged') inc('nudged');
  inc('dropped', r.droppedCandidates);
  if (r.correct && r.certified > r.attacked) inc('certContradictions');
  radii.forEach((radius, i) => {
    if (r.correct && r.certified >= radius) inc(`cert.${i}`);
    if (r.correct && r.attacked > radius) inc(`attack.${i}`);
  });
}

/** The analyse experiment. */
export const analyseExperiment: ExperimentDefinition = {
  name: 'analyse',
  paramKeys: ANALYSE_PARAM_KEYS,
  fileParams: ['network', 'data', 'labels'],

  normaliseParams(params) {
    return normalise(params) as unknown as Record<string, Json>;
  },

  check(params, seed, maxTrials) {
    const p = asParams(params);
    const l = load(p);
    checkAnalyseOptions(l.net, l.data, optionsOf(p, l, seed));
    if (maxTrials !== undefined && maxTrials > l.n) {
      bad('data', `a data set with at least ${maxTrials} points (one trial per point)`, `${p.data} (${l.n} points)`);
    }
  },

  runBatch(core, params, stream) {
    const p = asParams(params);
    const l = load(p);
    const opts = optionsOf(p, l, stream.seed);
    const data = emptyBatch(stream.count, p.radii);
    for (let i = 0; i < stream.count; i++) {
      const t = stream.tStart + i;
      if (t >= l.n) throw new CoreError('E_ARG', `trial ${t}: ${p.data} has only ${l.n} points (one trial per point)`);
      stream.onTrials?.(t, t);
      fill(data, i, analysePoint(core, l.net, l.data, t, opts), p.radii);
    }
    return data;
  },

  tracked(_params, counts, trials) {
    return [{ name: 'accuracy', k: counts.correct ?? 0, n: trials }];
  },

  guard() {
    return null;
  },

  summarise({ cell, trials, complete, counts, columns, proportion }) {
    const p = asParams(cell.params);
    const m = (name: string) => moments(columns(name));
    // Radii and gaps over the correctly classified points (a wrong point's bracket is [0, 0]);
    // moments skip non-finite values, so a point with no witness (attacked ∞) is left out of those.
    const ok: number[] = [];
    for (const chunk of columns('correct')()) for (const v of chunk) ok.push(v);
    const correctOnly = (name: string) =>
      moments(function* () {
        let q = 0;
        for (const chunk of columns(name)()) {
          yield Float64Array.from(chunk, (v, i) => (ok[q + i] === 1 ? v : NaN));
          q += chunk.length;
        }
      });
    const out: AnalyseCell = {
      experiment: 'analyse',
      cellKey: cell.key,
      axes: axesOf(cell),
      params: cell.params,
      complete,
      network: p.network,
      data: p.data,
      norm: p.norm,
      trials,
      accuracy: proportion(counts.correct ?? 0, trials),
      radii: p.radii.map((radius, i) => ({ radius, certified: proportion(counts[`cert.${i}`] ?? 0, trials), attacked: proportion(counts[`attack.${i}`] ?? 0, trials) })),
      certified: correctOnly('certified'),
      attacked: correctOnly('attacked'),
      gap: correctOnly('gap'),
      witnessChecks: { nudged: counts.nudged ?? 0, dropped: counts.dropped ?? 0 },
      certContradictions: counts.certContradictions ?? 0,
      score: m('score'),
    };
    return out;
  },
};
