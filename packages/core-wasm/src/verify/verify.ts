/**
 * Complete verification by branch and bound over input boxes and ReLU splits (docs/theory.md
 * "Complete verification"): a best-first queue of sub-domains; on each, sound CROWN/IBP bounds (the WASM
 * kernels of assembly/certify, directed rounding) of every unsafe constraint c·y − d, the
 * constraint's linear map folded into the last layer with its rounding error accounted; a
 * sub-domain is closed when every unsafe conjunction has a constraint whose lower bound is > 0 there.
 * Each open sub-domain is also attacked (its box's centre and a few seeded points), and a candidate counts
 * only when its exact outputs are proved to lie in the unsafe region (sound enclosures at the
 * point). Open sub-domains are split on the input coordinate with the largest width × sensitivity,
 * or (`split`, by default above 16 inputs) on the unstable ReLU with the largest intercept score,
 * the two sides enforced as clamps of the hidden bounds that every later sub-domain inherits; with
 * ReLU splits the output bounds' slopes (α) and the split constraints' multipliers (β) are
 * optimised (alpha.ts), every bound used being the sound kernel's for the values found.
 *
 * Verdicts: `verified` (every sub-domain closed: the property holds for the exact real-valued network
 * on the f64 weights), `falsified` (a witness in the inner box whose exact outputs are unsafe), or
 * `unknown` with the limit that stopped the search (time, nodes, memory). Never a wrong verdict:
 * both ends are sound in floating point.
 */
import type { Core } from '../core.js';
import type { Scope } from '../internal/module.js';
import { netIn } from '../internal/args.js';
import { CoreError } from '../errors.js';
import { layerOffset, validateNetwork, type Network } from '../network.js';
import { PhiloxStream } from '../rng.js';
import { backward, forward } from '../mlp.js';
import type { BoxProperty, PropertyBox, LinearConstraint } from './property.js';
import { exactlyAvoids, exactlyMeets } from './exact.js';
import { alphaGradient, defaultAlpha } from './alpha.js';

const U = 2 ** -53;
const gam = (n: number): number => (n * U) / (1 - n * U);

/** Limits of one `verify` call. */
export interface VerifyLimits {
  /** Time limit in seconds on `clock` [60]. */
  timeLimit?: number;
  /** Largest number of sub-boxes bounded [200 000]. */
  maxNodes?: number;
  /** Largest number of open sub-boxes held at once (memory) [100 000]. */
  maxQueue?: number;
  /** CROWN (default) or IBP bounds. */
  method?: 'crown' | 'ibp';
  /** Seed of the random attack points [0]. */
  seed?: number;
  /**
   * The clock `timeLimit` and `seconds` are measured with, in seconds (any origin) [wall clock,
   * `performance.now()`]. A benchmark on a shared machine may pass the process's CPU time.
   */
  clock?: () => number;
  /**
   * What a sub-domain is split on: `input` (halve the input coordinate of largest width ×
   * sensitivity), `relu` (an unstable ReLU into its active and inactive halves, chosen by the
   * intercept score; input splits where no ReLU is unstable), or `auto` (default): `relu` when the
   * input has more than `RELU_SPLIT_MIN_DIMS` coordinates, `input` otherwise.
   */
  split?: 'input' | 'relu' | 'auto';
  /**
   * Steps of projected gradient ascent on the output bounds' lower slopes (α-CROWN) and, on
   * sub-domains with split ReLUs, the split constraints' multipliers (β-CROWN), when ReLUs are split
   * [ALPHA_STEPS]; 0 keeps CROWN's plain bounds. The roots get this many steps, split
   * sub-domains a quarter of them (rounded up; warm starts are not kept), other sub-domains none,
   * unless `alphaEverywhere`.
   */
  alphaSteps?: number;
  /** Every sub-domain gets `alphaSteps` steps [false]. */
  alphaEverywhere?: boolean;
}

/** Default `alphaSteps`. */
export const ALPHA_STEPS = 20;

/**
 * `split: 'auto'` splits ReLUs above this many input coordinates (MNIST's 784) and inputs at or
 * below it (ACAS Xu's 5, where halving a coordinate stabilises many units at once).
 */
export const RELU_SPLIT_MIN_DIMS = 16;

/** Outcome of `verify`. */
export interface VerifyResult {
  verdict: 'verified' | 'falsified' | 'unknown';
  /** Why the search stopped undecided: `time`, `nodes` or `memory`. */
  reason?: 'time' | 'nodes' | 'memory';
  /** For `falsified`: an input whose exact outputs are unsafe, and those outputs (f64 evaluation). */
  witness?: { x: Float64Array; y: Float64Array };
  /** Sub-domains bounded (sub-boxes, and with ReLU splits their parts). */
  nodes: number;
  /** Splits made: of an input coordinate, of an unstable ReLU. */
  splits: { input: number; relu: number };
  /** Seconds spent (on `limits.clock`: wall clock unless given). */
  seconds: number;
}

/** A constraint folded into a scalar network: y ↦ c·y as the last layer, with its rounding error. */
interface Folded {
  net: Network;
  /** The folded last layer: N_{L−1} weights, then the bias if any. */
  row: Float64Array;
  /** Per input of the last layer: bound of the folded weight's rounding error. */
  err: Float64Array;
  /** Bound of the folded bias's rounding error. */
  errB: number;
  dLo: number;
  dHi: number;
  /** |c|ᵀ|W_L|⋯|W_1| per input coordinate: how strongly each input moves the constraint. */
  smear: Float64Array;
}

function fold(net: Network, k: LinearConstraint): Folded {
  const { dims, params, bias } = net;
  const L = dims.length - 1;
  const nOut = dims[L]!;
  const nIn = dims[L - 1]!;
  if (k.c.length !== nOut) throw new CoreError('E_SHAPE', `property: a constraint has ${k.c.length} coefficients, the network ${nOut} outputs`);
  const off = layerOffset(dims, bias, L);
  const w = new Float64Array(nIn);
  const err = new Float64Array(nIn);
  const nz = k.c.filter((v) => v !== 0);
  const exact = nz.length === 1 && Math.abs(nz[0]!) === 1;
  const g = gam(nOut + 2);
  for (let j = 0; j < nIn; j++) {
    let s = 0;
    let m = 0;
    for (let i = 0; i < nOut; i++) {
      const t = k.c[i]! * params[off + i * nIn + j]!;
      s += t;
      m += Math.abs(t);
    }
    w[j] = s;
    err[j] = exact ? 0 : g * m * (1 + 1e-10) + 1e-300;
  }
  let b = 0;
  let mb = 0;
  if (bias) {
    for (let i = 0; i < nOut; i++) {
      const t = k.c[i]! * params[off + nOut * nIn + i]!;
      b += t;
      mb += Math.abs(t);
    }
  }
  const errB = exact ? 0 : g * mb * (1 + 1e-10) + 1e-300;
  const row = new Float64Array(nIn + (bias ? 1 : 0));
  row.set(w);
  if (bias) row[nIn] = b;
  const p = new Float64Array(off + row.length);
  p.set(params.subarray(0, off));
  p.set(row, off);
  const folded: Network = { dims: [...dims.slice(0, L), 1], bias, params: p };
  // Sensitivity of the constraint to each input (for choosing the split).
  let v = Float64Array.from(w, Math.abs);
  for (let l = L - 1; l >= 1; l--) {
    const o = layerOffset(dims, bias, l);
    const ni = dims[l - 1]!;
    const no = dims[l]!;
    const nv = new Float64Array(ni);
    for (let i = 0; i < no; i++) for (let j = 0; j < ni; j++) nv[j]! += v[i]! * Math.abs(params[o + i * ni + j]!);
    v = nv;
  }
  return { net: folded, row, err, errB, dLo: k.dLo, dHi: k.dHi, smear: v };
}

/**
 * Sound bounds of folded constraints over boxes, with the network's shared layers copied into
 * WebAssembly memory once for a whole search (`cert_box_bounds_rows`; a fresh copy per sub-box
 * cost as much as the bounds on small networks). Lives inside one `raw.scoped` block.
 */
class Bounder {
  private readonly nAct: number;
  private readonly rowLen: number;
  private readonly H: number;
  private readonly p: {
    dims: number; params: number; rows: number; lo: number; hi: number; out: number; act: number; clamp: number; hid: number;
    coef: number; alpha: number; beta: number;
  };
  private readonly d: number;
  private readonly fn: (...x: number[]) => void;
  private readonly bias: boolean;
  private readonly nDims: number;

  /** The original network in WebAssembly memory, for f64 forward passes (`forward`). */
  private readonly orig: { dims: number; params: number; L: number; bias: number; work: number; nOut: number; d: number };
  private readonly fwd: (...x: number[]) => void;

  constructor(private readonly core: Core, private readonly s: Scope, template: Network, maxRows: number, net: Network) {
    const { dims, bias, params } = template;
    this.bias = bias;
    this.nDims = dims.length;
    this.nAct = dims[dims.length - 2]!;
    this.rowLen = this.nAct + (bias ? 1 : 0);
    this.H = dims.slice(1, -1).reduce((a, b) => a + b, 0);
    const d = dims[0]!;
    this.p = {
      dims: s.i32(dims), params: s.f64(params), rows: s.f64Zeros(maxRows * this.rowLen),
      lo: s.f64Zeros(d), hi: s.f64Zeros(d), out: s.f64Zeros(2 * maxRows), act: s.f64Zeros(this.nAct),
      clamp: s.f64Zeros(Math.max(1, 2 * this.H)), hid: s.f64Zeros(Math.max(1, 2 * this.H)),
      coef: s.f64Zeros(Math.max(1, maxRows * (this.H + d))), alpha: s.f64Zeros(Math.max(1, maxRows * this.H)),
      beta: s.f64Zeros(Math.max(1, maxRows * this.H)),
    };
    this.d = d;
    this.fn = core.raw.fn<(...x: number[]) => void>('cert_box_bounds_rows');
    const o = netIn(s, net);
    const ws = core.raw.fn<(d: number, L: number) => number>('nn_forward_batch_work')(o.dims, o.L);
    this.orig = { ...o, work: s.alloc(ws * 8), nOut: net.dims[net.dims.length - 1]!, d };
    this.fwd = core.raw.fn<(...x: number[]) => void>('nn_forward_batch');
  }

  /**
   * φ(x) in f64 (rounded to nearest, not sound) for the point-major rows of X, through the
   * training core's batched forward kernel on the parameters copied once; may hold ±∞/NaN when
   * the network overflows. Only used to choose candidates for the sound check.
   */
  forward(X: Float64Array): Float64Array {
    const { orig, s } = this;
    const n = X.length / orig.d;
    if (n > this.cap) {
      // Grown by doubling; the old blocks go with the scope.
      this.cap = Math.max(n, 2 * this.cap);
      this.xb = s.alloc(this.cap * orig.d * 8);
      this.yb = s.alloc(this.cap * orig.nOut * 8);
    }
    this.put(this.xb, X);
    this.fwd(orig.dims, orig.L, orig.bias, orig.params, this.xb, n, this.yb, orig.work);
    return this.get(this.yb, n * orig.nOut);
  }

  private cap = 0;
  private xb = 0;
  private yb = 0;

  /** Number of hidden units (the hidden bounds of a box are 2·H values: lo then hi). */
  get hidden(): number {
    return this.H;
  }

  private put(ptr: number, a: ArrayLike<number>): void {
    new Float64Array(this.core.raw.exports.memory.buffer, ptr, a.length).set(a);
  }

  private get(ptr: number, n: number): Float64Array {
    return new Float64Array(this.core.raw.exports.memory.buffer, ptr, n).slice();
  }

  /**
   * Sound enclosures [lo, hi] of the exact c·y of each folded constraint over the box [a, b]
   * (a = b: at a point). The hidden bounds are computed once for all of them, intersected with
   * `clamp` (those of an enclosing domain, split ReLUs included) when given; with `keep`, this
   * box's are returned. With `opt.coef` (CROWN), each constraint's output-pass coefficients (H
   * hidden units then d inputs, lane of the lower bound) are returned; `opt.alpha` (fs.length × H)
   * gives each constraint's lower-relaxation slopes, `opt.beta` (fs.length × H) its β_u·s_u of
   * the split units; `opt.outputOnly` takes the hidden bounds
   * from `clamp` and runs only the output passes.
   */
  bound(
    fs: readonly Folded[], a: ArrayLike<number>, b: ArrayLike<number>, method: number, clamp: Float64Array | null, keep: boolean,
    opt: { coef?: boolean; alpha?: Float64Array; beta?: Float64Array; outputOnly?: boolean } = {},
  ): { bounds: [number, number][]; hid: Float64Array | null; coef: Float64Array | null } {
    if (fs.length === 0) return { bounds: [], hid: null, coef: null };
    const { p, rowLen, nAct } = this;
    const rows = new Float64Array(fs.length * rowLen);
    fs.forEach((f, k) => rows.set(f.row, k * rowLen));
    this.put(p.rows, rows);
    this.put(p.lo, a);
    this.put(p.hi, b);
    const useClamp = clamp !== null && this.H > 0;
    if (useClamp) this.put(p.clamp, clamp);
    const keepHid = keep && this.H > 0;
    const crown = method === 3 && this.H > 0;
    const wantCoef = crown && opt.coef === true;
    const useAlpha = crown && opt.alpha !== undefined;
    if (useAlpha) this.put(p.alpha, opt.alpha!);
    const useBeta = crown && opt.beta !== undefined;
    if (useBeta) this.put(p.beta, opt.beta!);
    const m = crown && opt.outputOnly && useClamp ? method | 4 : method;
    this.fn(
      p.dims, this.nDims, this.bias ? 1 : 0, p.params, p.rows, fs.length, p.lo, p.hi, m, p.out, p.act, useClamp ? p.clamp : 0, keepHid ? p.hid : 0,
      useAlpha ? p.alpha : 0, wantCoef ? p.coef : 0, useBeta ? p.beta : 0,
    );
    const B = this.get(p.out, 2 * fs.length);
    const A = this.get(p.act, nAct);
    const bounds = fs.map((f, k): [number, number] => {
      const lo = B[2 * k]!;
      const hi = B[2 * k + 1]!;
      // The folded weights' rounding error times the activations' bounds (rounded upward).
      let slack = f.errB;
      for (let j = 0; j < nAct; j++) slack += f.err[j]! * A[j]!;
      if (slack === 0) return [lo, hi];
      slack = slack * (1 + gam(nAct + 4)) + 1e-300;
      return [lo - slack - Math.abs(lo) * 4 * U, hi + slack + Math.abs(hi) * 4 * U];
    });
    return {
      bounds, hid: keepHid ? this.get(p.hid, 2 * this.H) : null, coef: wantCoef ? this.get(p.coef, fs.length * (this.H + this.d)) : null,
    };
  }
}

interface Node {
  lo: Float64Array;
  hi: Float64Array;
  /** This box's hidden bounds (clamp for its sub-boxes), or null (memory budget). */
  hid: Float64Array | null;
  /** Index of the input box (of a union, `BoxProperty.boxes`) this sub-box lies in. */
  region: number;
  /** Per unsafe conjunction: still possibly reachable in this box. */
  open: boolean[];
  score: number;
  /** The unstable hidden unit a ReLU split would split (largest intercept score), or −1. */
  branch: number;
  /** Per hidden unit, the side a ReLU split fixed: +1 active, −1 inactive, 0 not split (null: none). */
  signs: Int8Array | null;
}

/**
 * Every f64 point of the box [lo, hi] when each coordinate has at most two f64 values (lo_j and
 * hi_j adjacent or equal), else null.
 */
function cornerPoints(lo: Float64Array, hi: Float64Array): Float64Array[] | null {
  let pts: Float64Array[] = [new Float64Array(lo.length)];
  for (let j = 0; j < lo.length; j++) {
    const a = lo[j]!;
    const b = hi[j]!;
    const vals = a === b ? [a] : [a, b];
    const mid = 0.5 * a + 0.5 * b;
    if (a !== b && mid !== a && mid !== b) return null;
    pts = pts.flatMap((p) => vals.map((v) => {
      const q = Float64Array.from(p);
      q[j] = v;
      return q;
    }));
  }
  return pts;
}

/** Binary min-heap on `score`. */
class Heap {
  private a: Node[] = [];
  get size(): number {
    return this.a.length;
  }
  push(n: Node): void {
    const a = this.a;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.score <= a[i]!.score) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): Node | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]!.score < a[m]!.score) m = l;
        if (r < a.length && a[r]!.score < a[m]!.score) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** Hidden bounds kept with queued sub-boxes, in f64 values (beyond it sub-boxes start from IBP). */
const HIDDEN_BUDGET = 2 ** 24;

/**
 * Decide `property` for `net` (see the file comment). Deterministic for a seed and limits that do
 * not stop the search on time.
 */
export function verify(core: Core, net: Network, property: BoxProperty, limits: VerifyLimits = {}): VerifyResult {
  validateNetwork(net);
  const d = net.dims[0]!;
  const nOut = net.dims[net.dims.length - 1]!;
  for (const key of ['lo', 'hi', 'innerLo', 'innerHi'] as const) {
    if (property[key].length !== d) throw new CoreError('E_SHAPE', `property.${key}: expected ${d} values, got ${property[key].length}`);
  }
  for (let j = 0; j < d; j++) {
    if (!(Number.isFinite(property.lo[j]!) && Number.isFinite(property.hi[j]!) && property.lo[j]! <= property.hi[j]!)) {
      throw new CoreError('E_ARG', `property: input ${j} has no finite range [${property.lo[j]}, ${property.hi[j]}]`);
    }
  }
  for (const [b, box] of (property.boxes ?? []).entries()) {
    for (const key of ['lo', 'hi', 'innerLo', 'innerHi'] as const) {
      if (box[key].length !== d) throw new CoreError('E_SHAPE', `property.boxes[${b}].${key}: expected ${d} values, got ${box[key].length}`);
    }
    for (let j = 0; j < d; j++) {
      if (!(box.lo[j]! >= property.lo[j]! && box.hi[j]! <= property.hi[j]! && box.lo[j]! <= box.hi[j]!)) {
        throw new CoreError('E_ARG', `property.boxes[${b}]: input ${j} range [${box.lo[j]}, ${box.hi[j]}] is empty or outside [${property.lo[j]}, ${property.hi[j]}]`);
      }
    }
  }
  if (property.boxes?.length === 0) throw new CoreError('E_ARG', 'property.boxes: expected at least one box');
  if (property.ball) {
    const { centre, radius } = property.ball;
    if (centre.length !== d) throw new CoreError('E_SHAPE', `property.ball.centre: expected ${d} values, got ${centre.length}`);
    if (!centre.every(Number.isFinite)) throw new CoreError('E_ARG', 'property.ball.centre: expected finite values');
    if (!(radius >= 0 && Number.isFinite(radius))) throw new CoreError('E_ARG', `property.ball.radius: expected a radius ≥ 0, got ${radius}`);
  }
  if (limits.clock !== undefined && typeof limits.clock !== 'function') throw new CoreError('E_ARG', 'limits.clock: expected a function returning seconds');
  const clock = limits.clock ?? ((): number => performance.now() / 1000);
  const t0 = clock();
  const conj = property.unsafe.map((c) => c.map((k) => fold(net, k)));
  if (conj.length === 0) return { verdict: 'verified', nodes: 0, splits: { input: 0, relu: 0 }, seconds: clock() - t0 };
  const units = Array.from({ length: nOut }, (_, i) => fold(net, { c: Array.from({ length: nOut }, (_, q) => (q === i ? 1 : 0)), dLo: 0, dHi: 0 }));
  const maxRows = Math.max(nOut, conj.reduce((a, c) => a + c.length, 0));
  return core.raw.scoped((s) => search(core, net, property, limits, conj, units, new Bounder(core, s, conj[0]![0]!.net, maxRows, net), clock, t0));
}

/** The f64 margin of a conjunction at outputs y: max over its constraints of c·y − dLo (≤ 0: unsafe in f64). */
function margin(c: readonly Folded[], y: ArrayLike<number>, k: readonly LinearConstraint[]): number {
  let m = -Infinity;
  for (let i = 0; i < c.length; i++) {
    let v = -k[i]!.dLo;
    k[i]!.c.forEach((ci, q) => {
      if (ci !== 0) v += ci * y[q]!;
    });
    m = Math.max(m, v);
  }
  return m;
}

/**
 * Sound bounds of the exact ℓ2 distance from the point c to the box [lo, hi] (lo = hi: to a point):
 * per coordinate the gap max(0, lo_j − c_j, c_j − hi_j), each one rounded subtraction (relative
 * error ≤ u); the norm is summed scaled by the largest gap (no overflow or underflow of squares),
 * and the computed value is moved by γ of the operation count. `side` picks the end.
 */
export function l2DistanceBound(c: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, side: 'lower' | 'upper'): number {
  const d = c.length;
  const gaps = new Float64Array(d);
  let big = 0;
  for (let j = 0; j < d; j++) {
    const g = Math.max(0, lo[j]! - c[j]!, c[j]! - hi[j]!);
    gaps[j] = g;
    if (g > big) big = g;
  }
  if (big === 0 || !Number.isFinite(big)) return big;
  let sum = 0;
  for (let j = 0; j < d; j++) {
    const q = gaps[j]! / big;
    sum += q * q;
  }
  const r = big * Math.sqrt(sum);
  const e = 2 * gam(3 * d + 12);
  return side === 'lower' ? r * (1 - e) : r * (1 + e);
}

function search(
  core: Core, net: Network, property: BoxProperty, limits: VerifyLimits, conj: Folded[][], units: Folded[], bounder: Bounder,
  clock: () => number, t0: number,
): VerifyResult {
  const d = net.dims[0]!;
  const nOut = net.dims[net.dims.length - 1]!;
  const timeLimit = limits.timeLimit ?? 60;
  const maxNodes = limits.maxNodes ?? 200_000;
  const maxQueue = limits.maxQueue ?? 100_000;
  const method = (limits.method ?? 'crown') === 'crown' ? 3 : 1;
  const splitMode = limits.split ?? 'auto';
  if (!['input', 'relu', 'auto'].includes(splitMode)) throw new CoreError('E_ARG', `limits.split: expected input, relu or auto, got ${String(splitMode)}`);
  // ReLU splits need CROWN's coefficients (the score) and the hidden bounds (the split constraints).
  const reluSplits = method === 3 && bounder.hidden > 0 && (splitMode === 'relu' || (splitMode === 'auto' && d > RELU_SPLIT_MIN_DIMS));
  const H = bounder.hidden;
  const alphaIters = reluSplits ? limits.alphaSteps ?? ALPHA_STEPS : 0;
  if (!(Number.isInteger(alphaIters) && alphaIters >= 0)) throw new CoreError('E_ARG', `limits.alphaSteps: expected an integer ≥ 0, got ${String(limits.alphaSteps)}`);
  /** Whether every sub-domain is optimised (else only the roots). */
  const alphaEvery = limits.alphaEverywhere ?? false;
  const seconds = (): number => clock() - t0;
  const rng = new PhiloxStream({ seed: limits.seed ?? 0, substream: 7 });
  const ball = property.ball;
  /** Whether x is surely admissible: in the inner box and (ℓ2 property) surely in the ball. */
  const regions: PropertyBox[] = property.boxes ?? [property];
  const inBox = (x: Float64Array, r: PropertyBox): boolean => {
    for (let j = 0; j < d; j++) if (!(x[j]! >= r.innerLo[j]! && x[j]! <= r.innerHi[j]!)) return false;
    return true;
  };
  const inner = (x: Float64Array): boolean => regions.some((r) => inBox(x, r)) && (!ball || l2DistanceBound(ball.centre, x, x, 'upper') <= ball.radius);
  /** Whether the box [lo, hi] surely misses the ball (no admissible point in it). */
  const outside = (lo: ArrayLike<number>, hi: ArrayLike<number>): boolean => !!ball && l2DistanceBound(ball.centre, lo, hi, 'lower') > ball.radius;
  /** Moves x (in place) radially into the ball when it is outside (f64 distance; candidates only). */
  const intoBall = (x: Float64Array): void => {
    if (!ball) return;
    let s2 = 0;
    for (let j = 0; j < d; j++) s2 += (x[j]! - ball.centre[j]!) ** 2;
    const dist = Math.sqrt(s2);
    if (!(dist > ball.radius)) return;
    const f = (ball.radius * (1 - 1e-9)) / dist;
    for (let j = 0; j < d; j++) x[j] = ball.centre[j]! + (x[j]! - ball.centre[j]!) * f;
  };
  /** Whether the point x is a sound witness: inside the inner box, every constraint of some conjunction surely met. */
  const witnessAt = (x: Float64Array): boolean => {
    if (!inner(x)) return false;
    return conj.some((c) => bounder.bound(c, x, x, 1, null, false).bounds.every(([, hi], i) => hi <= c[i]!.dLo));
  };
  const outputsAt = (x: Float64Array): Float64Array =>
    Float64Array.from(bounder.bound(units, x, x, 1, null, false).bounds, ([lo, hi]) => 0.5 * lo + 0.5 * hi);
  /**
   * The first of the candidate points (point-major, inside the inner box) whose f64 outputs are
   * unsafe and whose exact outputs are proved unsafe, or null. The f64 forward pass only screens:
   * a point counts after `witnessAt`.
   */
  const screen = (X: Float64Array): Float64Array | null => {
    const n = X.length / d;
    const Y = bounder.forward(X);
    for (let b = 0; b < n; b++) {
      // A margin that is NaN (overflow) is not > 0: such a candidate goes to the sound check.
      if (conj.every((c, k) => margin(c, Y.subarray(b * nOut, (b + 1) * nOut), property.unsafe[k]!) > 0)) continue;
      const x = X.slice(b * d, (b + 1) * d);
      if (witnessAt(x)) return x;
    }
    return null;
  };
  let nodes = 0;
  const splits = { input: 0, relu: 0 };
  let kept = 0;
  const queue = new Heap();
  /** Bound a box; returns a node (still open) or null (closed). */
  const bound = (
    lo: Float64Array, hi: Float64Array, open: boolean[], clamp: Float64Array | null, region: number, signs: Int8Array | null = null,
  ): Node | null => {
    nodes++;
    // A sub-box outside the ℓ2 ball holds no admissible input: closed.
    if (outside(lo, hi)) return null;
    let score = Infinity;
    const nowOpen = open.slice();
    // Every constraint of the open conjunctions in one call (shared hidden bounds).
    const list: Folded[] = [];
    conj.forEach((c, k) => {
      if (nowOpen[k]) list.push(...c);
    });
    const keep = kept + 2 * bounder.hidden <= HIDDEN_BUDGET;
    const { bounds, hid, coef } = bounder.bound(list, lo, hi, method, clamp, keep, { coef: reluSplits && keep });
    // Some hidden unit with lower bound > upper bound: no input of the box meets the split
    // constraints (or the clamp) — the sub-domain is empty, nothing to verify.
    if (hid) for (let u = 0; u < H; u++) if (hid[u]! > hid[H + u]!) return null;
    const rowOpen: boolean[] = [];
    /**
     * Close the conjunctions some constraint of which is surely violated (lower bound > dHi). The
     * rows of `bounds` are those of the conjunctions open on entry (`open`), whatever closed since.
     */
    const judge = (): void => {
      let at = 0;
      score = Infinity;
      conj.forEach((c, k) => {
        if (!open[k]) return;
        // Closed when one constraint is surely violated on the whole box: c·y > d everywhere.
        let best = -Infinity;
        const first = at;
        for (const f of c) best = Math.max(best, bounds[at++]![0] - f.dHi);
        if (best > 0) nowOpen[k] = false;
        else score = Math.min(score, best);
        for (let i = first; i < at; i++) rowOpen[i] = nowOpen[k]!;
      });
    };
    judge();
    if (!nowOpen.some(Boolean)) return null;
    if (hid && coef && alphaIters > 0 && (clamp === null || alphaEvery || signs !== null)) {
      // α-CROWN (and β-CROWN on split sub-domains): optimise the lower slopes and the split
      // constraints' multipliers of the still-open constraints; each bound of the search is the
      // sound pass's for the values found, and the best of them is kept (every one is a valid
      // lower bound, so their maximum is).
      const steps = clamp === null || alphaEvery ? alphaIters : Math.ceil(alphaIters / 4);
      optimiseAlpha(bounder, net, list, lo, hi, hid, coef, bounds, rowOpen, steps, signs, () => {
        judge();
        return !nowOpen.some(Boolean);
      });
      judge();
      if (!nowOpen.some(Boolean)) return null;
    }
    if (hid) kept += hid.length;
    return { lo, hi, open: nowOpen, score, hid, region, branch: hid && coef ? reluBranch(hid, coef, rowOpen, H, d) : -1, signs };
  };
  /** Candidates of a sub-box: its centre and `extra` seeded points of it, inside the inner box. */
  const candidates = (n: Node, extra: number): Float64Array => {
    const X = new Float64Array((1 + extra) * d);
    for (let j = 0; j < d; j++) {
      const R = regions[n.region]!;
      const a = Math.max(n.lo[j]!, R.innerLo[j]!);
      const b = Math.min(n.hi[j]!, R.innerHi[j]!);
      const m = Math.min(Math.max(0.5 * n.lo[j]! + 0.5 * n.hi[j]!, R.innerLo[j]!), R.innerHi[j]!);
      X[j] = m;
      for (let r = 1; r <= extra; r++) X[r * d + j] = a <= b ? a + (b - a) * rng.uniform() : m;
    }
    if (ball) for (let r = 0; r <= extra; r++) intoBall(X.subarray(r * d, (r + 1) * d));
    return X;
  };
  for (const [i, R] of regions.entries()) {
    const root = bound(Float64Array.from(R.lo), Float64Array.from(R.hi), conj.map(() => true), null, i);
    if (!root) continue;
    // A stronger attack on the whole box first (many seeded points, then descent on the margin).
    const w = rootAttack(core, net, R, property.unsafe, conj, candidates(root, 63), screen, intoBall, d > RELU_SPLIT_MIN_DIMS);
    if (w) return { verdict: 'falsified', witness: { x: w, y: outputsAt(w) }, nodes, splits, seconds: seconds() };
    queue.push(root);
  }
  while (queue.size > 0) {
    if (seconds() > timeLimit) return { verdict: 'unknown', reason: 'time', nodes, splits, seconds: seconds() };
    if (nodes >= maxNodes) return { verdict: 'unknown', reason: 'nodes', nodes, splits, seconds: seconds() };
    if (queue.size >= maxQueue) return { verdict: 'unknown', reason: 'memory', nodes, splits, seconds: seconds() };
    const n = queue.pop()!;
    if (n.hid) kept -= n.hid.length;
    const w = screen(candidates(n, 2));
    if (w) return { verdict: 'falsified', witness: { x: w, y: outputsAt(w) }, nodes, splits, seconds: seconds() };
    if (n.branch >= 0 && n.hid) {
      // ReLU split: the sub-domain where unit u is active (z_u ≥ 0: its lower bound raised to 0)
      // and where it is inactive (z_u ≤ 0: its upper bound lowered to 0). They cover the parent's;
      // each constraint reaches every later bound through the clamp that sub-domains inherit.
      const u = n.branch;
      splits.relu++;
      const act = Float64Array.from(n.hid);
      act[u] = 0;
      const inact = Float64Array.from(n.hid);
      inact[H + u] = 0;
      const sA = n.signs ? Int8Array.from(n.signs) : new Int8Array(H);
      sA[u] = 1;
      const sI = Int8Array.from(sA);
      sI[u] = -1;
      for (const c of [bound(n.lo, n.hi, n.open, act, n.region, sA), bound(n.lo, n.hi, n.open, inact, n.region, sI)]) if (c) queue.push(c);
      continue;
    }
    // Split the coordinate with the largest width × sensitivity of the open constraints.
    let best = -1;
    let bestV = -1;
    for (let j = 0; j < d; j++) {
      let sj = 0;
      conj.forEach((c, k) => {
        if (n.open[k]) for (const f of c) sj = Math.max(sj, f.smear[j]!);
      });
      const v = (n.hi[j]! - n.lo[j]!) * (sj > 0 ? sj : 1e-300);
      if (v > bestV) {
        bestV = v;
        best = j;
      }
    }
    const mid = 0.5 * n.lo[best]! + 0.5 * n.hi[best]!;
    if (!(mid > n.lo[best]! && mid < n.hi[best]!)) {
      // The box cannot be split further in f64. A single point is decided exactly (rational
      // arithmetic): unsafe there is a witness, safe closes the box; a box of several points one
      // ulp wide is decided at each of its (at most 2^d) corner points when those are all it has.
      const pts = cornerPoints(n.lo, n.hi);
      if (pts) {
        for (const x of pts) {
          if (inner(x) && property.unsafe.some((c, k) => n.open[k] && exactlyMeets(net, x, c))) {
            return { verdict: 'falsified', witness: { x, y: outputsAt(x) }, nodes, splits, seconds: seconds() };
          }
        }
        if (pts.every((x) => outside(x, x) || property.unsafe.every((c, k) => !n.open[k] || exactlyAvoids(net, x, c)))) continue;
      }
      return { verdict: 'unknown', reason: 'nodes', nodes, splits, seconds: seconds() };
    }
    const children = (j: number): (Node | null)[] => {
      const m = 0.5 * n.lo[j]! + 0.5 * n.hi[j]!;
      const hiA = Float64Array.from(n.hi);
      hiA[j] = m;
      const loB = Float64Array.from(n.lo);
      loB[j] = m;
      // The clamp carries the split ReLUs' constraints (and their signs go along when it does).
      const sg = n.hid ? n.signs : null;
      return [bound(n.lo, hiA, n.open, n.hid, n.region, sg), bound(loB, n.hi, n.open, n.hid, n.region, sg)];
    };
    splits.input++;
    for (const c of children(best)) if (c) queue.push(c);
  }
  return { verdict: 'verified', nodes, splits, seconds: seconds() };
}

/**
 * Projected gradient ascent on each open constraint's lower slopes α (alpha.ts) and, on a sub-domain
 * with split ReLUs (`signs`), the multipliers β ≥ 0 of the split constraints (β-CROWN) for `steps` steps,
 * from CROWN's choice: each step moves α along the gradient normalised by its largest entry (step
 * length 0.5, shrinking by 0.85 a step) and clips it to [0, 1], then asks the sound pass for the
 * bounds at the new α (hidden bounds fixed: `outputOnly`). `bounds` keeps, per constraint, the
 * largest lower bound seen — each is sound, so their maximum is. Stops when `done()` (called after
 * every improvement) says the domain is closed.
 */
function optimiseAlpha(
  bounder: Bounder, net: Network, list: readonly Folded[], lo: Float64Array, hi: Float64Array, hid: Float64Array, coef: Float64Array,
  bounds: [number, number][], rowOpen: boolean[], steps: number, signs: Int8Array | null, done: () => boolean,
): void {
  const H = bounder.hidden;
  const d = net.dims[0]!;
  const K = list.length;
  const start = defaultAlpha(hid, H);
  const alpha = new Float64Array(K * H);
  for (let r = 0; r < K; r++) alpha.set(start, r * H);
  // β_u ≥ 0 per row for the split units, passed as β_u·s_u.
  const beta = signs ? new Float64Array(K * H) : undefined;
  const grad = new Float64Array(H);
  const zhat = new Float64Array(H);
  let cur = coef;
  for (let t = 0; t < steps; t++) {
    const eta = 0.5 * 0.85 ** t;
    let moved = false;
    for (let r = 0; r < K; r++) {
      if (!rowOpen[r]) continue;
      const a = alpha.subarray(r * H, (r + 1) * H);
      const cr = cur.subarray(r * (H + d), (r + 1) * (H + d));
      alphaGradient(net, hid, cr, lo, hi, a, grad, zhat);
      let g = 0;
      for (let u = 0; u < H; u++) g = Math.max(g, Math.abs(grad[u]!));
      if (g > 0 && Number.isFinite(g)) {
        for (let u = 0; u < H; u++) a[u] = Math.min(1, Math.max(0, a[u]! + (eta * grad[u]!) / g));
        moved = true;
      }
      if (beta && signs) {
        // ∂B/∂β_u = −s_u·ẑ_u(x*): a step of eta times the largest coefficient, normalised.
        let gb = 0;
        let cmax = 0;
        for (let u = 0; u < H; u++) {
          if (signs[u] !== 0) gb = Math.max(gb, Math.abs(zhat[u]!));
          cmax = Math.max(cmax, Math.abs(cr[u]!));
        }
        if (gb > 0 && Number.isFinite(gb) && cmax > 0 && Number.isFinite(cmax)) {
          const b = beta.subarray(r * H, (r + 1) * H);
          for (let u = 0; u < H; u++) {
            const s = signs[u]!;
            if (s === 0) continue;
            const v = Math.max(0, s * b[u]! - (s * zhat[u]! * eta * cmax) / gb);
            b[u] = s * v;
          }
          moved = true;
        }
      }
    }
    if (!moved) return;
    const res = bounder.bound(list, lo, hi, 3, hid, false, { coef: true, alpha, beta, outputOnly: true });
    cur = res.coef!;
    let better = false;
    res.bounds.forEach(([l], r) => {
      if (l > bounds[r]![0]) {
        bounds[r]![0] = l;
        better = true;
      }
    });
    if (better && done()) return;
  }
}

/**
 * The hidden unit to split (ReLU splitting), by the intercept score: for each unstable unit u
 * (lower bound < 0 < upper bound in `hid`), the sum over the constraints still open (`rowOpen`)
 * of |a_u|·u_u·(−l_u)/(u_u − l_u), a_u the output pass's coefficient of the unit (`coef`, H + d
 * values per constraint): how much the unit's triangle relaxation can cost that bound. −1 when no
 * unit is unstable.
 */
function reluBranch(hid: Float64Array, coef: Float64Array, rowOpen: boolean[], H: number, d: number): number {
  let best = -1;
  let bestS = -1;
  for (let u = 0; u < H; u++) {
    const l = hid[u]!;
    const h = hid[H + u]!;
    if (!(l < 0 && h > 0)) continue;
    const tri = (h * -l) / (h - l);
    let sc = 0;
    for (let r = 0; r < rowOpen.length; r++) if (rowOpen[r]) sc += Math.abs(coef[r * (H + d) + u]!) * tri;
    // Ties (and all-zero scores) go to the widest unit, then the lowest index.
    const v = sc > 0 ? sc : 0;
    if (v > bestS || (v === bestS && best >= 0 && h - l > hid[H + best]! - hid[best]!)) {
      bestS = v;
      best = u;
    }
  }
  return best;
}

/**
 * The attack on the whole input box before the search: seeded points (rows of X), then signed
 * gradient descent of the margin of the most promising conjunction from the best of them, in
 * the inner box. Only `screen` (a sound check) turns a point into a witness.
 */
function rootAttack(
  core: Core, net: Network, region: PropertyBox, unsafe: LinearConstraint[][], conj: Folded[][], X: Float64Array,
  screen: (X: Float64Array) => Float64Array | null, intoBall: (x: Float64Array) => void, perConj = false,
): Float64Array | null {
  const d = net.dims[0]!;
  const nOut = net.dims[net.dims.length - 1]!;
  const w = screen(X);
  if (w) return w;
  const n = X.length / d;
  let Y: Float64Array;
  try {
    Y = forward(core, net, X);
  } catch {
    return null; // outputs beyond f64: no descent
  }
  // Start from the R points of smallest margin, each descending on its best conjunction.
  const scored = Array.from({ length: n }, (_, b) => {
    const y = Y.subarray(b * nOut, (b + 1) * nOut);
    let m = Infinity;
    let k = 0;
    conj.forEach((c, q) => {
      const v = margin(c, y, unsafe[q]!);
      if (v < m) {
        m = v;
        k = q;
      }
    });
    return { b, m, k };
  }).sort((a, b) => a.m - b.m || a.b - b.b).slice(0, Math.min(8, n));
  if (perConj && conj.length > 1) {
    // Many inputs (MNIST): also one start per conjunction (another class for a multi-class
    // property), its own best point descending on its own margin — the best-overall starts tend
    // to chase one class only.
    conj.forEach((c, q) => {
      let bm = Infinity;
      let bb = 0;
      for (let b = 0; b < n; b++) {
        const v = margin(c, Y.subarray(b * nOut, (b + 1) * nOut), unsafe[q]!);
        if (v < bm) {
          bm = v;
          bb = b;
        }
      }
      if (!scored.some((e) => e.b === bb && e.k === q)) scored.push({ b: bb, m: bm, k: q });
    });
  }
  const P = Float64Array.from(scored.flatMap(({ b }) => Array.from(X.subarray(b * d, (b + 1) * d))));
  const step = Array.from({ length: d }, (_, j) => (region.innerHi[j]! - region.innerLo[j]!) / 8);
  for (let it = 0; it < 40; it++) {
    let Yp: Float64Array;
    let gradInputs: Float64Array;
    try {
      Yp = forward(core, net, P);
    } catch {
      return null;
    }
    // Upstream gradient: the constraint of the conjunction with the largest c·y − d at the point.
    const G = new Float64Array(scored.length * nOut);
    scored.forEach(({ k }, r) => {
      const y = Yp.subarray(r * nOut, (r + 1) * nOut);
      let bi = 0;
      let bv = -Infinity;
      unsafe[k]!.forEach((kc, i) => {
        let v = -kc.dLo;
        kc.c.forEach((ci, q) => {
          v += ci * y[q]!;
        });
        if (v > bv) {
          bv = v;
          bi = i;
        }
      });
      unsafe[k]![bi]!.c.forEach((ci, q) => {
        G[r * nOut + q] = ci;
      });
    });
    try {
      gradInputs = backward(core, net, P, G).gradInputs;
    } catch {
      return null;
    }
    const shrink = 0.5 ** Math.floor(it / 10);
    for (let r = 0; r < scored.length; r++) {
      for (let j = 0; j < d; j++) {
        const v = P[r * d + j]! - step[j]! * shrink * Math.sign(gradInputs[r * d + j]!);
        P[r * d + j] = Math.min(Math.max(v, region.innerLo[j]!), region.innerHi[j]!);
      }
      intoBall(P.subarray(r * d, (r + 1) * d));
    }
    const hit = screen(P);
    if (hit) return hit;
  }
  return null;
}

/**
 * The VNN-COMP result text of a verification: `unsat` (verified: the property holds), `sat` and
 * the assignment of every X_i and Y_i (falsified), `timeout` (undecided at the time limit), or
 * `unknown` (undecided at the node or memory limit). Ends with a newline.
 */
export function vnncompResult(
  r: { verdict: 'verified' | 'falsified' | 'unknown'; reason?: string; witness?: { x: ArrayLike<number>; y: ArrayLike<number> } },
): string {
  if (r.verdict === 'verified') return 'unsat\n';
  if (r.verdict === 'unknown') return r.reason === 'time' ? 'timeout\n' : 'unknown\n';
  const w = r.witness!;
  const lines = [...Array.from(w.x, (v, i) => `(X_${i} ${v})`), ...Array.from(w.y, (v, i) => `(Y_${i} ${v})`)];
  return `sat\n(${lines.join('\n ')})\n`;
}
