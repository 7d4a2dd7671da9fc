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
import { CoreError } from '../errors.js';
import { layerOffset, validateNetwork, type Network } from '../network.js';
import { PhiloxStream } from '../rng.js';
import type { BoxProperty, LinearConstraint } from './property.js';
import { exactlyAvoids, exactlyMeets } from './exact.js';

const U = 2 ** -53;
const gam = (n: number): number => (n * U) / (1 - n * U);

/** Limits of one `verify` call. */
export interface VerifyLimits {
  /** Wall-clock limit in seconds [60]. */
  timeLimit?: number;
  /** Largest number of sub-boxes bounded [200 000]. */
  maxNodes?: number;
  /** Largest number of open sub-boxes held at once (memory) [100 000]. */
  maxQueue?: number;
  /** CROWN (default) or IBP bounds. */
  method?: 'crown' | 'ibp';
  /** Seed of the random attack points [0]. */
  seed?: number;
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
  /** Wall-clock seconds spent. */
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
  const head = Array.from(params.subarray(0, off));
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
  const p = [...head, ...w, ...(bias ? [b] : [])];
  const folded: Network = { dims: [...dims.slice(0, L), 1], bias, params: Float64Array.from(p) };
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
  return { net: folded, row: Float64Array.from([...w, ...(bias ? [b] : [])]), err, errB, dLo: k.dLo, dHi: k.dHi, smear: v };
}

/**
 * Sound enclosures [lo, hi] of the exact c·y of each folded constraint over the box [a, b] (a = b:
 * at a point). The constraints share every layer but the last, so the hidden bounds are computed
 * once (`cert_box_bounds_rows`).
 */
function boundFolded(core: Core, fs: readonly Folded[], a: Float64Array, b: Float64Array, method: number): [number, number][] {
  if (fs.length === 0) return [];
  const raw = core.raw;
  const { dims, bias, params } = fs[0]!.net;
  const nAct = dims[dims.length - 2]!;
  const rowLen = fs[0]!.row.length;
  const rows = new Float64Array(fs.length * rowLen);
  fs.forEach((f, k) => rows.set(f.row, k * rowLen));
  return raw.scoped((s) => {
    const out = s.f64Zeros(2 * fs.length);
    const act = s.f64Zeros(nAct);
    raw.fn<(...x: number[]) => void>('cert_box_bounds_rows')(
      s.i32(dims), dims.length, bias ? 1 : 0, s.f64(params), s.f64(rows), fs.length, s.f64(a), s.f64(b), method, out, act,
    );
    const B = s.readF64(out, 2 * fs.length);
    const A = s.readF64(act, nAct);
    return fs.map((f, k) => {
      const lo = B[2 * k]!;
      const hi = B[2 * k + 1]!;
      // The folded weights' rounding error times the activations' bounds (rounded upward).
      let slack = f.errB;
      for (let j = 0; j < nAct; j++) slack += f.err[j]! * A[j]!;
      if (slack === 0) return [lo, hi];
      slack = slack * (1 + gam(nAct + 4)) + 1e-300;
      return [lo - slack - Math.abs(lo) * 4 * U, hi + slack + Math.abs(hi) * 4 * U];
    });
  });
}

interface Node {
  lo: Float64Array;
  hi: Float64Array;
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
  const timeLimit = limits.timeLimit ?? 60;
  const maxNodes = limits.maxNodes ?? 200_000;
  const maxQueue = limits.maxQueue ?? 100_000;
  const method = (limits.method ?? 'crown') === 'crown' ? 3 : 1;
  const t0 = performance.now();
  const seconds = (): number => (performance.now() - t0) / 1000;
  const conj = property.unsafe.map((c) => c.map((k) => fold(net, k)));
  if (conj.length === 0) return { verdict: 'verified', nodes: 0, seconds: seconds() };
  const rng = new PhiloxStream({ seed: limits.seed ?? 0, substream: 7 });
  const inner = (x: Float64Array): boolean => {
    for (let j = 0; j < d; j++) if (!(x[j]! >= property.innerLo[j]! && x[j]! <= property.innerHi[j]!)) return false;
    return true;
  };
  /** Whether the point x is a sound witness: inside the inner box, every constraint of some conjunction surely met. */
  const witnessAt = (x: Float64Array): boolean => {
    if (!inner(x)) return false;
    return conj.some((c) => boundFolded(core, c, x, x, 1).every(([, hi], i) => hi <= c[i]!.dLo));
  };
  const outputsAt = (x: Float64Array): Float64Array => {
    const y = new Float64Array(nOut);
    for (let i = 0; i < nOut; i++) {
      const c = new Array<number>(nOut).fill(0);
      c[i] = 1;
      const [[lo, hi]] = boundFolded(core, [fold(net, { c, dLo: 0, dHi: 0 })], x, x, 1) as [[number, number]];
      y[i] = 0.5 * lo + 0.5 * hi;
    }
    return y;
  };
  let nodes = 0;
  const queue = new Heap();
  /** Bound a box; returns a node (still open) or null (closed). */
  const bound = (lo: Float64Array, hi: Float64Array, open: boolean[]): Node | null => {
    nodes++;
    let score = Infinity;
    const nowOpen = open.slice();
    // Every constraint of the open conjunctions in one call (shared hidden bounds).
    const list: Folded[] = [];
    conj.forEach((c, k) => {
      if (nowOpen[k]) list.push(...c);
    });
    const bounds = boundFolded(core, list, lo, hi, method);
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
    return { lo, hi, open: nowOpen, score };
  };
  const attack = (n: Node): Float64Array | null => {
    const x = new Float64Array(d);
    for (let j = 0; j < d; j++) x[j] = Math.min(Math.max(0.5 * n.lo[j]! + 0.5 * n.hi[j]!, property.innerLo[j]!), property.innerHi[j]!);
    if (witnessAt(x)) return x;
    for (let r = 0; r < 2; r++) {
      const z = new Float64Array(d);
      for (let j = 0; j < d; j++) {
        const a = Math.max(n.lo[j]!, property.innerLo[j]!);
        const b = Math.min(n.hi[j]!, property.innerHi[j]!);
        z[j] = a <= b ? a + (b - a) * rng.uniform() : x[j]!;
      }
      if (witnessAt(z)) return z;
    }
    return null;
  };
  const root = bound(Float64Array.from(property.lo), Float64Array.from(property.hi), conj.map(() => true));
  if (!root) return { verdict: 'verified', nodes, seconds: seconds() };
  queue.push(root);
  while (queue.size > 0) {
    if (seconds() > timeLimit) return { verdict: 'unknown', reason: 'time', nodes, seconds: seconds() };
    if (nodes >= maxNodes) return { verdict: 'unknown', reason: 'nodes', nodes, seconds: seconds() };
    if (queue.size >= maxQueue) return { verdict: 'unknown', reason: 'memory', nodes, seconds: seconds() };
    const n = queue.pop()!;
    const w = attack(n);
    if (w) return { verdict: 'falsified', witness: { x: w, y: outputsAt(w) }, nodes, seconds: seconds() };
    // Split the coordinate with the largest width × sensitivity of the open constraints.
    let best = -1;
    let bestV = -1;
    for (let j = 0; j < d; j++) {
      let s = 0;
      conj.forEach((c, k) => {
        if (n.open[k]) for (const f of c) s = Math.max(s, f.smear[j]!);
      });
      const v = (n.hi[j]! - n.lo[j]!) * (s > 0 ? s : 1e-300);
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
        if (pts.every((x) => property.unsafe.every((c, k) => !n.open[k] || exactlyAvoids(net, x, c)))) continue;
      }
      return { verdict: 'unknown', reason: 'nodes', nodes, seconds: seconds() };
    }
    const hiA = Float64Array.from(n.hi);
    hiA[best] = mid;
    const loB = Float64Array.from(n.lo);
    loB[best] = mid;
    for (const [lo, hi] of [[n.lo, hiA], [loB, n.hi]] as const) {
      const c = bound(lo, hi, n.open);
      if (c) queue.push(c);
    }
  }
  return { verdict: 'verified', nodes, seconds: seconds() };
}
