/**
 * `verify` as a sweep experiment: one VNN-LIB verification instance (a network and a property)
 * per cell, decided by core-wasm `verify` (the same complete, sound branch and bound as
 * `paradox verify`), so that many instances — a grid or zip over `network` × `property` — spread
 * over workers and machines like trials, resumable, with byte-identical summaries for any worker
 * count. A cell runs exactly one trial (`trials: 1`): the instance.
 *
 * Limits: `maxNodes` (sub-domains bounded, default 200 000) stops the search deterministically.
 * `timeLimit` (seconds, default none) is optional; when set, an instance near the limit may end
 * `unknown` (time) on a loaded machine and decided on an idle one, so a run that sets it is not
 * reproducible bit for bit. The attack points inside the search draw from the run seed.
 *
 * Files: `network` (.onnx or paradox-network/1 JSON, core-wasm `networkFromBytes`) and `property`
 * (.vnnlib, or .vnnlib.gz, core-wasm `parseVnnlib`); relative paths in a spec file are resolved
 * next to the spec (spec/parse.ts `resolvePluginPaths`). Both are read and parsed when the spec is
 * validated (a problem is reported against its grid/zip/fixed entry) and again by each worker.
 *
 * Per-trial columns: `verdict` (1 verified, 2 falsified, 0 unknown), `reason` (0 none, 1 time,
 * 2 nodes, 3 memory), `nodes`, and for a falsified instance the counterexample `x_0…x_{n−1}` and
 * its outputs `y_0…y_{m−1}` (NaN otherwise). The summary cell carries the VNN-COMP result word
 * (`result`: unsat / sat / timeout / unknown) and the full VNN-COMP result text (`vnncomp`, with
 * the assignment for sat), so summary.json holds the competition's result file of every instance.
 */
import { gunzipSync } from 'node:zlib';
import { CoreError, parseVnnlib, verify, vnncompResult, type BoxProperty, type Network, type VerifyResult } from '@paradox/core-wasm';
import { networkFromBytes } from '@paradox/core-wasm/onnx';
import type { ColumnSource } from '../summary/columns.js';
import { axesOf, badParam as bad, parseParamFile as withPath, readParamFile as readBytes } from './common.js';
import type { VerifyCell } from '../summary/types.js';
import type { Json } from '../worker/protocol.js';
import type { BatchData, ExperimentDefinition } from './types.js';

/** Parameters of a verify cell (after normalisation: every key present). */
export interface VerifySweepParams {
  network: string;
  property: string;
  /** Sub-boxes bounded before giving up (`unknown`, reason `nodes`): deterministic. */
  maxNodes: number;
  /** Seconds before giving up (`unknown`, reason `time`), or null for none: not deterministic. */
  timeLimit: number | null;
  method: 'crown' | 'ibp';
}

/** Every parameter a verify cell accepts. */
export const VERIFY_PARAM_KEYS: readonly (keyof VerifySweepParams)[] = ['network', 'property', 'maxNodes', 'timeLimit', 'method'];

/** Default node limit of a verify cell (the same as `paradox verify`). */
export const VERIFY_MAX_NODES = 200_000;

/** Verdict as a stored number. */
const VERDICT_CODE = { unknown: 0, verified: 1, falsified: 2 } as const;
/** Reason an undecided search stopped, as a stored number (0: decided). */
const REASON_CODE = { time: 1, nodes: 2, memory: 3 } as const;

function normalise(p: Record<string, Json>): VerifySweepParams {
  for (const k of Object.keys(p)) {
    if (!(VERIFY_PARAM_KEYS as readonly string[]).includes(k)) {
      const allowed = VERIFY_PARAM_KEYS.join(', ');
      throw new CoreError('E_ARG', `params.${k}: unknown parameter; allowed: ${allowed}`, { path: [k], allowed: `a parameter name: ${allowed}`, value: p[k], choices: VERIFY_PARAM_KEYS });
    }
  }
  const path = (k: 'network' | 'property'): string => {
    const v = p[k];
    if (typeof v !== 'string' || v === '') bad(k, 'a file path', v ?? null);
    return v;
  };
  const out: VerifySweepParams = {
    network: path('network'),
    property: path('property'),
    maxNodes: (p.maxNodes ?? VERIFY_MAX_NODES) as number,
    timeLimit: (p.timeLimit ?? null) as number | null,
    method: (p.method ?? 'crown') as 'crown' | 'ibp',
  };
  if (!(typeof out.maxNodes === 'number' && Number.isInteger(out.maxNodes) && out.maxNodes >= 1 && out.maxNodes <= 1e9)) bad('maxNodes', 'an integer in [1, 1e9]', out.maxNodes);
  if (out.timeLimit !== null && !(typeof out.timeLimit === 'number' && out.timeLimit > 0 && Number.isFinite(out.timeLimit))) bad('timeLimit', 'seconds > 0, or null (no time limit)', out.timeLimit);
  if (out.method !== 'crown' && out.method !== 'ibp') bad('method', 'crown or ibp', out.method);
  return out;
}

/** A cell's network and property, read once per process (validation and each worker). */
interface Loaded {
  net: Network;
  property: BoxProperty;
}

const cache = new Map<string, Loaded>();

function load(p: VerifySweepParams): Loaded {
  const key = JSON.stringify([p.network, p.property]);
  const hit = cache.get(key);
  if (hit) return hit;
  const net = withPath('network', p.network, 'a fully connected ReLU network (.onnx or paradox-network/1 JSON)', () => networkFromBytes(readBytes('network', p.network), p.network));
  const bytes = readBytes('property', p.property);
  const property = withPath('property', p.property, 'a VNN-LIB property (.vnnlib or .vnnlib.gz) over the network\'s inputs and outputs', () => {
    const text = (p.property.endsWith('.gz') ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
    return parseVnnlib(text, net.dims[0]!, net.dims[net.dims.length - 1]!);
  });
  const loaded = { net, property };
  cache.set(key, loaded);
  return loaded;
}

function asParams(p: Record<string, Json>): VerifySweepParams {
  return p as unknown as VerifySweepParams;
}

/** The core-wasm limits of a cell; the attack points draw from the run seed. */
function limitsOf(p: VerifySweepParams, seed: number) {
  return { maxNodes: p.maxNodes, timeLimit: p.timeLimit ?? Infinity, method: p.method, seed };
}

/** The stored columns of one decided (or undecided) instance. */
function columnsOf(r: VerifyResult, nIn: number, nOut: number): BatchData {
  const one = (v: number) => Float64Array.of(v);
  const columns: Record<string, Float64Array> = {
    verdict: one(VERDICT_CODE[r.verdict]),
    reason: one(r.reason === undefined ? 0 : REASON_CODE[r.reason]),
    nodes: one(r.nodes),
  };
  for (let i = 0; i < nIn; i++) columns[`x_${i}`] = one(r.witness ? r.witness.x[i]! : NaN);
  for (let i = 0; i < nOut; i++) columns[`y_${i}`] = one(r.witness ? r.witness.y[i]! : NaN);
  const counts = { verified: 0, falsified: 0, unknown: 0, 'unknown.time': 0, 'unknown.nodes': 0, 'unknown.memory': 0 };
  counts[r.verdict] = 1;
  if (r.reason !== undefined) counts[`unknown.${r.reason}`] = 1;
  return { counts, columns };
}

/** The verdict of a stored instance, back from its columns. */
function resultOf(verdictCode: number, reasonCode: number, x: number[], y: number[]): Pick<VerifyResult, 'verdict' | 'reason'> & { witness?: { x: number[]; y: number[] } } {
  const verdict = (Object.keys(VERDICT_CODE) as (keyof typeof VERDICT_CODE)[]).find((k) => VERDICT_CODE[k] === verdictCode)!;
  const reason = (Object.keys(REASON_CODE) as (keyof typeof REASON_CODE)[]).find((k) => REASON_CODE[k] === reasonCode);
  return { verdict, ...(reason ? { reason } : {}), ...(verdict === 'falsified' ? { witness: { x, y } } : {}) };
}

/** The verify experiment. */
export const verifyExperiment: ExperimentDefinition = {
  name: 'verify',
  paramKeys: VERIFY_PARAM_KEYS,
  fileParams: ['network', 'property'],

  normaliseParams(params) {
    return normalise(params) as unknown as Record<string, Json>;
  },

  check(params, _seed, maxTrials) {
    load(asParams(params));
    if (maxTrials !== undefined && maxTrials !== 1) bad('trials', 'trials: 1 (a verify cell is one instance: one trial)', maxTrials);
  },

  runBatch(core, params, stream) {
    const p = asParams(params);
    const l = load(p);
    if (stream.tStart !== 0 || stream.count !== 1) throw new CoreError('E_ARG', `trials ${stream.tStart}..${stream.tStart + stream.count - 1}: a verify cell has one trial (the instance)`);
    stream.onTrials?.(0, 0);
    const r = verify(core, l.net, l.property, limitsOf(p, stream.seed));
    return columnsOf(r, l.net.dims[0]!, l.net.dims[l.net.dims.length - 1]!);
  },

  tracked(_params, counts, trials) {
    return [{ name: 'decided', k: (counts.verified ?? 0) + (counts.falsified ?? 0), n: trials }];
  },

  guard() {
    return null;
  },

  summarise({ cell, trials, complete, columns }) {
    const p = asParams(cell.params);
    const first = (name: string): number => {
      for (const chunk of columns(name)()) if (chunk.length > 0) return chunk[0]!;
      return NaN;
    };
    /** x_0, x_1, … (or y_…) up to the first absent column: the stored counterexample. */
    const vector = (prefix: string): number[] => {
      const out: number[] = [];
      for (let i = 0; hasColumn(columns, `${prefix}_${i}`); i++) out.push(first(`${prefix}_${i}`));
      return out;
    };
    const decided = trials > 0;
    const r = decided ? resultOf(first('verdict'), first('reason'), vector('x'), vector('y')) : null;
    const text = r ? vnncompResult(r) : null;
    const out: VerifyCell = {
      experiment: 'verify',
      cellKey: cell.key,
      axes: axesOf(cell),
      params: cell.params,
      complete,
      network: p.network,
      property: p.property,
      trials,
      verdict: r?.verdict ?? null,
      reason: r?.reason ?? null,
      result: text === null ? null : (text.split('\n')[0] as VerifyCell['result']),
      nodes: decided ? first('nodes') : null,
      counterexample: { x: r?.witness?.x ?? null, y: r?.witness?.y ?? null },
      vnncomp: text,
    };
    return out;
  },
};

/** Whether a column holds any value for the counted trials (a missing column reads as empty). */
function hasColumn(columns: ColumnSource, name: string): boolean {
  for (const chunk of columns(name)()) if (chunk.length > 0) return true;
  return false;
}
