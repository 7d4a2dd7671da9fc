/**
 * Attacks on any network under a data criterion (binary |φ − y| < 1/2, or multi-class argmax):
 * FGSM, PGD with random starts and restarts, minimal radius by bisection over PGD, DeepFool-style
 * linearisation and a gradient-free random search. Each crosses into WebAssembly once per step
 * with the whole batch of restarts (forward/backward kernels of `mlp.ts`); the criterion logic is
 * here. Every witness is replayed by a forward pass before it is kept (a cheap f64 filter); the
 * witness reported as an upper bound is then checked soundly by `soundConfirm` (exact arithmetic,
 * the nudge-or-drop check of certify/witness.ts shared with the stripes trials).
 */
import type { Core } from '../core.js';
import { backward, forward } from '../mlp.js';
import { layerOffset, type Network } from '../network.js';
import type { PhiloxStream } from '../rng.js';
import { criterionScore, type Criterion, type InputBox } from '../io/data.js';
import type { NormName } from '../instability/params.js';
import { normCode } from '../instability/params.js';

/** The point under attack and what is allowed. */
export interface AttackTarget {
  core: Core;
  net: Network;
  criterion: Criterion;
  norm: NormName;
  x: Float64Array;
  y: number;
  box: InputBox | null;
}

/** A witness: x + eta is wrong (score ≤ 0) and ‖eta‖ = norm. */
export interface Witness {
  eta: Float64Array;
  norm: number;
  attack: string;
}

/** ‖v‖ in the attack norm. */
export function normOf(norm: NormName, v: ArrayLike<number>): number {
  let s = 0;
  if (norm === 'linf') {
    for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]!));
    return s;
  }
  let scale = 0;
  for (let i = 0; i < v.length; i++) scale = Math.max(scale, Math.abs(v[i]!));
  if (scale === 0) return 0;
  for (let i = 0; i < v.length; i++) s += (v[i]! / scale) ** 2;
  return scale * Math.sqrt(s);
}

/** Project eta onto the ball of radius eps and so that x + eta stays in the box (in place). */
function project(t: AttackTarget, eta: Float64Array, eps: number): void {
  const d = eta.length;
  if (t.norm === 'linf') {
    for (let k = 0; k < d; k++) eta[k] = Math.min(eps, Math.max(-eps, eta[k]!));
  } else {
    const n = normOf('l2', eta);
    if (n > eps) for (let k = 0; k < d; k++) eta[k] = (eta[k]! * eps) / n;
  }
  // Clipping into the box moves each coordinate towards x (x is inside), so the norm only shrinks.
  if (t.box) for (let k = 0; k < d; k++) eta[k] = Math.min(t.box.hi[k]!, Math.max(t.box.lo[k]!, t.x[k]! + eta[k]!)) - t.x[k]!;
}

/** Scores of a batch of perturbed points (one forward call). */
function scores(t: AttackTarget, etas: Float64Array[]): number[] {
  const d = t.x.length;
  const X = new Float64Array(etas.length * d);
  etas.forEach((e, b) => {
    for (let k = 0; k < d; k++) X[b * d + k] = t.x[k]! + e[k]!;
  });
  const out = forward(t.core, t.net, X);
  const K = t.net.dims[t.net.dims.length - 1]!;
  return etas.map((_, b) => criterionScore(t.criterion, out.subarray(b * K, (b + 1) * K), t.y));
}

/**
 * Replay: the witness counts only if a forward pass at z = fl(x + eta) is wrong. Its norm is that
 * of z − x (the point actually evaluated), widened by a few ulps so that rounding in the
 * subtraction and the norm cannot make the reported upper bound smaller than the true distance.
 */
export function confirm(t: AttackTarget, eta: Float64Array, attack: string): Witness | null {
  if (scores(t, [eta])[0]! > 0) return null;
  const diff = Float64Array.from(eta, (e, k) => t.x[k]! + e - t.x[k]!);
  return { eta, norm: normOf(t.norm, diff) * (1 + 2 ** -49), attack };
}

/** Upstream gradient whose input gradient increases "wrongness" (−score, up to the runner-up). */
function gOutFor(t: AttackTarget, phi: ArrayLike<number>): Float64Array {
  const K = phi.length;
  const g = new Float64Array(K);
  if (t.criterion === 'binary') {
    g[0] = t.y >= 0.5 ? -1 : 1;
    return g;
  }
  let j = -1;
  for (let q = 0; q < K; q++) if (q !== t.y && (j < 0 || phi[q]! > phi[j]!)) j = q;
  g[j] = 1;
  g[t.y] = -1;
  return g;
}

/** Options of `pgd`. */
export interface PgdOptions {
  steps: number;
  restarts: number;
  randomStart: boolean;
  /** Step size as a fraction of eps (ℓ∞: sign steps; ℓ2: normalised gradient steps). */
  stepFraction: number;
}

/**
 * Projected gradient ascent of the wrongness in the ball of radius eps, all restarts as one batch
 * per step. Returns the smallest-norm confirmed witness, or null.
 */
export function pgd(t: AttackTarget, eps: number, o: PgdOptions, rng: PhiloxStream, name = 'pgd'): Witness | null {
  const d = t.x.length;
  const K = t.net.dims[t.net.dims.length - 1]!;
  const R = o.restarts;
  const etas = Array.from({ length: R }, (_, r) => {
    const e = new Float64Array(d);
    if (o.randomStart && (r > 0 || R === 1)) {
      if (t.norm === 'linf') for (let k = 0; k < d; k++) e[k] = (2 * rng.uniform() - 1) * eps;
      else {
        for (let k = 0; k < d; k++) e[k] = rng.normal();
        const n = normOf('l2', e);
        const rad = eps * rng.uniform() ** (1 / d);
        for (let k = 0; k < d; k++) e[k] = n > 0 ? (e[k]! * rad) / n : 0;
      }
      project(t, e, eps);
    }
    return e;
  });
  let best: Witness | null = null;
  const alpha = o.stepFraction * eps;
  let phi = forward(t.core, t.net, Float64Array.from(etas.flatMap((e) => Array.from(e, (v, k) => t.x[k]! + v))));
  for (let step = 0; step <= o.steps; step++) {
    // Record successes at the current iterates (phi was computed at exactly these points).
    for (let r = 0; r < R; r++) {
      if (criterionScore(t.criterion, phi.subarray(r * K, (r + 1) * K), t.y) <= 0) {
        const n = normOf(t.norm, etas[r]!);
        if (best === null || n < best.norm) best = { eta: etas[r]!.slice(), norm: n, attack: name };
      }
    }
    if (best !== null || step === o.steps) break;
    const X = new Float64Array(R * d);
    const G = new Float64Array(R * K);
    for (let r = 0; r < R; r++) {
      for (let k = 0; k < d; k++) X[r * d + k] = t.x[k]! + etas[r]![k]!;
      G.set(gOutFor(t, phi.subarray(r * K, (r + 1) * K)), r * K);
    }
    const { gradInputs } = backward(t.core, t.net, X, G);
    for (let r = 0; r < R; r++) {
      const g = gradInputs.subarray(r * d, (r + 1) * d);
      const e = etas[r]!;
      if (t.norm === 'linf') for (let k = 0; k < d; k++) e[k] = e[k]! + alpha * Math.sign(g[k]!);
      else {
        const gn = normOf('l2', g);
        if (gn > 0) for (let k = 0; k < d; k++) e[k] = e[k]! + (alpha * g[k]!) / gn;
      }
      project(t, e, eps);
    }
    phi = forward(t.core, t.net, Float64Array.from(etas.flatMap((e) => Array.from(e, (v, k) => t.x[k]! + v))));
  }
  return best === null ? null : confirm(t, best.eta, name);
}

/**
 * DeepFool-style linearisation: step to the nearest boundary of the linearised criterion (for
 * multi-class, the closest of the K − 1 margins), overshoot slightly, repeat.
 */
export function deepfool(t: AttackTarget, iterations: number, overshoot: number, maxRadius: number): Witness | null {
  const d = t.x.length;
  const K = t.net.dims[t.net.dims.length - 1]!;
  const eta = new Float64Array(d);
  const others = t.criterion === 'binary' ? [0] : Array.from({ length: K }, (_, j) => j).filter((j) => j !== t.y);
  for (let it = 0; it < iterations; it++) {
    const z = Float64Array.from(eta, (v, k) => t.x[k]! + v);
    const X = new Float64Array(others.length * d);
    const G = new Float64Array(others.length * K);
    others.forEach((j, b) => {
      X.set(z, b * d);
      if (t.criterion === 'binary') G[b * K] = 1;
      else {
        G[b * K + t.y] = 1;
        G[b * K + j] = -1;
      }
    });
    const { outputs, gradInputs } = backward(t.core, t.net, X, G);
    const phi = outputs.subarray(0, K);
    if (criterionScore(t.criterion, phi, t.y) <= 0) break;
    // f: the function whose zero is the boundary, with gradient w; step = −f·w*/‖w‖*².
    let bestStep = Infinity;
    let bestF = 0;
    let bestW: Float64Array | null = null;
    others.forEach((j, b) => {
      const w = gradInputs.subarray(b * d, (b + 1) * d);
      const f = t.criterion === 'binary' ? phi[0]! - 0.5 : phi[t.y]! - phi[j]!;
      const dual = t.norm === 'linf' ? w.reduce((a, v) => a + Math.abs(v), 0) : normOf('l2', w);
      if (dual === 0) return;
      const s = Math.abs(f) / dual;
      if (s < bestStep) {
        bestStep = s;
        bestF = f;
        bestW = w.slice();
      }
    });
    if (bestW === null) return null;
    const w: Float64Array = bestW;
    const dir = -Math.sign(bestF);
    if (t.norm === 'linf') for (let k = 0; k < d; k++) eta[k] = eta[k]! + dir * (1 + overshoot) * bestStep * Math.sign(w[k]!);
    else {
      const wn = normOf('l2', w);
      for (let k = 0; k < d; k++) eta[k] = eta[k]! + (dir * (1 + overshoot) * bestStep * w[k]!) / wn;
    }
    project(t, eta, maxRadius);
  }
  return confirm(t, eta, 'deepfool');
}

/**
 * Gradient-free random search in the ball of radius eps: `queries` points (ℓ∞: vertices of the
 * cube and uniform points; ℓ2: points on the sphere), one forward call. Cannot be fooled by
 * masked gradients.
 */
export function randomSearch(t: AttackTarget, eps: number, queries: number, rng: PhiloxStream): Witness | null {
  const d = t.x.length;
  const etas = Array.from({ length: queries }, (_, q) => {
    const e = new Float64Array(d);
    if (t.norm === 'linf') {
      const vertex = q % 2 === 0;
      for (let k = 0; k < d; k++) e[k] = vertex ? (rng.uniform() < 0.5 ? -eps : eps) : (2 * rng.uniform() - 1) * eps;
    } else {
      for (let k = 0; k < d; k++) e[k] = rng.normal();
      const n = normOf('l2', e);
      for (let k = 0; k < d; k++) e[k] = n > 0 ? (e[k]! * eps) / n : 0;
    }
    project(t, e, eps);
    return e;
  });
  const s = scores(t, etas);
  let best: Witness | null = null;
  s.forEach((v, q) => {
    if (v <= 0) {
      const n = normOf(t.norm, etas[q]!);
      if (best === null || n < best.norm) best = { eta: etas[q]!, norm: n, attack: 'random' };
    }
  });
  return best === null ? null : confirm(t, (best as Witness).eta, 'random');
}

/** a − b if exact in f64 (TwoSum error zero), else null. */
function exactDiff(a: number, b: number): number | null {
  const s = a - b;
  const bb = s - a;
  const err = a - (s - bb) + (-b - bb);
  return err === 0 && Number.isFinite(s) ? s : null;
}

/** Output row k of the last layer: its weights, then its bias when the network has biases. */
function lastRow(net: Network, k: number): Float64Array {
  const L = net.dims.length - 1;
  const K = net.dims[L]!;
  const nPrev = net.dims[L - 1]!;
  const off = layerOffset(net.dims, net.bias, L);
  const row = new Float64Array(nPrev + (net.bias ? 1 : 0));
  row.set(net.params.subarray(off + k * nPrev, off + (k + 1) * nPrev));
  if (net.bias) row[nPrev] = net.params[off + K * nPrev + k]!;
  return row;
}

/**
 * The output row of φ_y − φ_j (weights, then bias) when every difference is exact in f64 (always
 * for f32 weights), so that it is the exact margin network; null when one is not.
 */
export function diffRow(net: Network, y: number, j: number): Float64Array | null {
  const a = lastRow(net, y);
  const b = lastRow(net, j);
  for (let k = 0; k < a.length; k++) {
    const v = exactDiff(a[k]!, b[k]!);
    if (v === null) return null;
    a[k] = v;
  }
  return a;
}

/** Outcome of a sound witness check: `confirmed` as found, `nudged` outward to be confirmed, `dropped`. */
export type WitnessStatus = 'confirmed' | 'nudged' | 'dropped';

/** Result of `soundConfirm`. */
export interface SoundWitness {
  status: WitnessStatus;
  /** The confirmed witness (η possibly nudged, norm an upper bound of the exact ‖fl(x + η) − x‖), or null when dropped. */
  witness: Witness | null;
}

const CRIT_BINARY = 0;
const CRIT_DIFF = 1;
const CRIT_PAIR = 2;

/**
 * The witness x + η checked in exact arithmetic (WebAssembly `cert_confirm_witness`, the
 * nudge-or-drop check of certify/witness.ts that the stripes trials use): φ at z = fl(x + s·η) is
 * enclosed with outward rounding and z counts when the enclosure proves the criterion wrong —
 * binary |φ − y| ≥ 1/2; multi-class φ_y ≤ φ_j for some j ≠ y, on the exact margin row φ_y − φ_j
 * when its differences are exact, else on φ_y and φ_j separately. Not confirmed at s = 1, η is
 * scaled by 1 + 2^k·u (k = 1 … 43) until it is (`nudged`), or the witness is `dropped`. The norm
 * returned bounds the exact distance from above.
 */
export function soundConfirm(t: AttackTarget, eta: Float64Array, attack: string): SoundWitness {
  const net = t.net;
  const L = net.dims.length - 1;
  const K = net.dims[L]!;
  const off = layerOffset(net.dims, net.bias, L);
  const rows: Float64Array[] = [];
  const checks: number[] = [];
  if (t.criterion === 'binary') {
    rows.push(lastRow(net, 0));
    checks.push(CRIT_BINARY, 0, 0);
  } else {
    for (let k = 0; k < K; k++) rows.push(lastRow(net, k));
    for (let j = 0; j < K; j++) {
      if (j === t.y) continue;
      const diff = diffRow(net, t.y, j);
      if (diff === null) checks.push(CRIT_PAIR, t.y, j);
      else {
        checks.push(CRIT_DIFF, rows.length, 0);
        rows.push(diff);
      }
    }
  }
  const rowLen = rows[0]!.length;
  const flatRows = new Float64Array(rows.length * rowLen);
  rows.forEach((r, i) => flatRows.set(r, i * rowLen));
  const scalar = new Float64Array(off + rowLen);
  scalar.set(net.params.subarray(0, off));
  const dims = [...net.dims.slice(0, L), 1];
  const d = t.x.length;
  const raw = t.core.raw;
  return raw.scoped((s) => {
    const etaPtr = s.f64(eta);
    const statusPtr = s.i32Zeros(1);
    const r = raw.fn<(...a: number[]) => number>('cert_confirm_witness')(
      s.i32(dims), dims.length, net.bias ? 1 : 0, s.f64(scalar), s.f64(flatRows), s.i32(checks), checks.length / 3,
      t.criterion === 'binary' ? t.y : 0, normCode(t.norm), s.f64(t.x), etaPtr, statusPtr,
    );
    if (r < 0) return { status: 'dropped' as const, witness: null };
    const status = s.readI32(statusPtr, 1)[0] === 1 ? ('nudged' as const) : ('confirmed' as const);
    return { status, witness: { eta: s.readF64(etaPtr, d), norm: r, attack } };
  });
}
