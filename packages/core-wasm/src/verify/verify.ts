/**
 * Complete verification by branch and bound over input boxes (docs/theory.md "Complete
 * verification"): a best-first queue of sub-boxes; on each, sound CROWN/IBP bounds (the WASM
 * kernels of assembly/certify, directed rounding) of every unsafe constraint c·y − d, the
 * constraint's linear map folded into the last layer with its rounding error accounted; a
 * sub-box is closed when every unsafe conjunction has a constraint whose lower bound is > 0 there.
 * Each open sub-box is also attacked (its centre and a few seeded points), and a candidate counts
 * only when its exact outputs are proved to lie in the unsafe region (sound enclosures at the
 * point). Open boxes are split on the coordinate with the largest width × sensitivity.
 *
 * Verdicts: `verified` (every sub-box closed: the property holds for the exact real-valued network
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
}

/** Outcome of `verify`. */
export interface VerifyResult {
  verdict: 'verified' | 'falsified' | 'unknown';
  /** Why the search stopped undecided: `time`, `nodes` or `memory`. */
  reason?: 'time' | 'nodes' | 'memory';
  /** For `falsified`: an input whose exact outputs are unsafe, and those outputs (f64 evaluation). */
  witness?: { x: Float64Array; y: Float64Array };
  /** Sub-boxes bounded. */
  nodes: number;
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
  private readonly p: { dims: number; params: number; rows: number; lo: number; hi: number; out: number; act: number; clamp: number; hid: number };
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
    };
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
   * `clamp` (those of an enclosing box) when given; with `keep`, this box's are returned.
   */
  bound(
    fs: readonly Folded[], a: ArrayLike<number>, b: ArrayLike<number>, method: number, clamp: Float64Array | null, keep: boolean,
  ): { bounds: [number, number][]; hid: Float64Array | null } {
    if (fs.length === 0) return { bounds: [], hid: null };
    const { p, rowLen, nAct } = this;
    const rows = new Float64Array(fs.length * rowLen);
    fs.forEach((f, k) => rows.set(f.row, k * rowLen));
    this.put(p.rows, rows);
    this.put(p.lo, a);
    this.put(p.hi, b);
    const useClamp = clamp !== null && this.H > 0;
    if (useClamp) this.put(p.clamp, clamp);
    const keepHid = keep && this.H > 0;
    this.fn(p.dims, this.nDims, this.bias ? 1 : 0, p.params, p.rows, fs.length, p.lo, p.hi, method, p.out, p.act, useClamp ? p.clamp : 0, keepHid ? p.hid : 0);
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
    return { bounds, hid: keepHid ? this.get(p.hid, 2 * this.H) : null };
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
  if (conj.length === 0) return { verdict: 'verified', nodes: 0, seconds: clock() - t0 };
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
  let kept = 0;
  const queue = new Heap();
  /** Bound a box; returns a node (still open) or null (closed). */
  const bound = (lo: Float64Array, hi: Float64Array, open: boolean[], clamp: Float64Array | null, region: number): Node | null => {
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
    const { bounds, hid } = bounder.bound(list, lo, hi, method, clamp, keep);
    let at = 0;
    conj.forEach((c, k) => {
      if (!nowOpen[k]) return;
      // Closed when one constraint is surely violated on the whole box: c·y > d everywhere.
      let best = -Infinity;
      for (const f of c) best = Math.max(best, bounds[at++]![0] - f.dHi);
      if (best > 0) nowOpen[k] = false;
      else score = Math.min(score, best);
    });
    if (!nowOpen.some(Boolean)) return null;
    if (hid) kept += hid.length;
    return { lo, hi, open: nowOpen, score, hid, region };
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
    const w = rootAttack(core, net, R, property.unsafe, conj, candidates(root, 63), screen, intoBall);
    if (w) return { verdict: 'falsified', witness: { x: w, y: outputsAt(w) }, nodes, seconds: seconds() };
    queue.push(root);
  }
  while (queue.size > 0) {
    if (seconds() > timeLimit) return { verdict: 'unknown', reason: 'time', nodes, seconds: seconds() };
    if (nodes >= maxNodes) return { verdict: 'unknown', reason: 'nodes', nodes, seconds: seconds() };
    if (queue.size >= maxQueue) return { verdict: 'unknown', reason: 'memory', nodes, seconds: seconds() };
    const n = queue.pop()!;
    if (n.hid) kept -= n.hid.length;
    const w = screen(candidates(n, 2));
    if (w) return { verdict: 'falsified', witness: { x: w, y: outputsAt(w) }, nodes, seconds: seconds() };
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
            return { verdict: 'falsified', witness: { x, y: outputsAt(x) }, nodes, seconds: seconds() };
          }
        }
        if (pts.every((x) => outside(x, x) || property.unsafe.every((c, k) => !n.open[k] || exactlyAvoids(net, x, c)))) continue;
      }
      return { verdict: 'unknown', reason: 'nodes', nodes, seconds: seconds() };
    }
    const children = (j: number): (Node | null)[] => {
      const m = 0.5 * n.lo[j]! + 0.5 * n.hi[j]!;
      const hiA = Float64Array.from(n.hi);
      hiA[j] = m;
      const loB = Float64Array.from(n.lo);
      loB[j] = m;
      return [bound(n.lo, hiA, n.open, n.hid, n.region), bound(loB, n.hi, n.open, n.hid, n.region)];
    };
    for (const c of children(best)) if (c) queue.push(c);
  }
  return { verdict: 'verified', nodes, seconds: seconds() };
}

/**
 * The attack on the whole input box before the search: seeded points (rows of X), then signed
 * gradient descent of the margin of the most promising conjunction from the best of them, in
 * the inner box. Only `screen` (a sound check) turns a point into a witness.
 */
function rootAttack(
  core: Core, net: Network, region: PropertyBox, unsafe: LinearConstraint[][], conj: Folded[][], X: Float64Array,
  screen: (X: Float64Array) => Float64Array | null, intoBall: (x: Float64Array) => void,
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
  const R = Math.min(8, n);
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
  }).sort((a, b) => a.m - b.m || a.b - b.b).slice(0, R);
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
    const G = new Float64Array(R * nOut);
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
    for (let r = 0; r < R; r++) {
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
