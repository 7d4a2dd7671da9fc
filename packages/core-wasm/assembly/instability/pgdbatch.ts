// PGD over many points at once. `Attacker.pgd` runs one point at a time through the single-point
// `Net.forward`/`Net.inputGrad`; a trial runs it on every point of T ∪ V at the same radius with
// the same step schedule, so here all those runs advance in lockstep and each step evaluates φ and
// ∇φ for every still-running point in one feature-major f64x2 pass (two points per vector).
//
// Contract: for every point the sequence of operations and every float are those of
// `Attacker.pgd` on that point alone. The batched pass sums each pre-activation and each back-
// propagated δ in the order `Net.forward`/`Net.inputGrad` use (from 0, index ascending, then the
// bias; no fused multiply-add), so φ and ∇φ agree bit for bit. The per-point decisions are
// `direction`'s and `pgd`'s own expressions in the same order, calling the Attacker's methods
// (normOf, project, randomInBall, oneSided) with that point's state loaded; `check` needs no new
// evaluation because φ at the iterate is already known (`record`). Points are independent, so
// running them in chunks (`pgdChunk`) gives the same results as one batch.

import { Net } from "./net";
import { Attacker, targetLevel } from "./attacks";
import { labelOf } from "./stripes";
import { NORM_INF } from "../certify/rounding";
import { Philox } from "../rng/philox";

/**
 * The attack state each point keeps between attack calls: its best adversarial perturbation so far
 * and its own random stream. `select` loads point i into the shared Attacker (as `setPoint` would,
 * but keeping the best result), `save` stores what the attacks changed.
 */
export class PointStates {
  atk: Attacker;
  X: usize;
  n: i32;
  d: i32;
  bestNorm: StaticArray<f64>;
  /** Best perturbation of point i at [i·d, (i+1)·d). */
  best: StaticArray<f64>;
  rngs: StaticArray<Philox | null>;

  constructor(atk: Attacker, X: usize, n: i32) {
    const d = atk.d;
    this.atk = atk;
    this.X = X;
    this.n = n;
    this.d = d;
    const bn = new StaticArray<f64>(n);
    for (let i = 0; i < n; i++) unchecked((bn[i] = Infinity));
    this.bestNorm = bn;
    this.best = new StaticArray<f64>(n * d);
    this.rngs = new StaticArray<Philox | null>(n);
  }

  @inline x(i: i32): usize {
    return this.X + (<usize>(i * this.d) << 3);
  }

  /** Make the Attacker work on point i with its state (best result, random stream). */
  select(i: i32): void {
    const atk = this.atk;
    atk.setPoint(this.x(i));
    atk.bestNorm = unchecked(this.bestNorm[i]);
    const d = this.d;
    const o = i * d;
    for (let j = 0; j < d; j++) unchecked((atk.best[j] = this.best[o + j]));
    const rng = unchecked(this.rngs[i]);
    if (rng !== null) atk.rng = rng;
  }

  /** Store the Attacker's best result back into point i's state. */
  save(i: i32): void {
    const atk = this.atk;
    unchecked((this.bestNorm[i] = atk.bestNorm));
    const d = this.d;
    const o = i * d;
    for (let j = 0; j < d; j++) unchecked((this.best[o + j] = atk.best[j]));
  }
}

/**
 * Points per lockstep batch for `net`: up to 256, fewer for wide networks so that the per-batch
 * buffers (every unit's activation per point) stay within about 16 MiB.
 */
export function pgdChunk(net: Net): i32 {
  const perPoint = net.nUnits + 2 * net.maxWidth + 2 * net.d;
  return max(2, min(256, (1 << 21) / perPoint)) & ~1;
}

/** Lockstep PGD of many points; buffers sized for `cap` points, reused across calls. */
export class PgdBatch {
  net: Net;
  ps: PointStates;
  d: i32;
  m: i32;
  /** Row stride (f64) of the feature-major buffers: cap rounded up to even. */
  S: i32;
  /** Inputs x0 + η, d rows. */
  xf: StaticArray<f64>;
  /** Every layer's activations (post-ReLU on hidden layers, φ on the last), nUnits rows. */
  act: StaticArray<f64>;
  /** Back-propagated δ of the layer above / below, maxWidth rows each. */
  da: StaticArray<f64>;
  db: StaticArray<f64>;
  /** ∇ₓφ, d rows. */
  gx: StaticArray<f64>;
  /** η of every point, point-major (n × d). */
  eta: StaticArray<f64>;
  /** Points evaluated at the next step. */
  live: StaticArray<i32>;
  /** Points whose iterate stopped moving (see `run`), and the evaluations one of their steps costs. */
  parked: StaticArray<i32>;
  parkEvals: StaticArray<i64>;
  /** Scratch vectors handed to the Attacker's methods. */
  v: StaticArray<f64>;
  gv: StaticArray<f64>;

  constructor(ps: PointStates, cap: i32) {
    const net = ps.atk.net;
    const S = (max(cap, 1) + 1) & ~1;
    const d = net.d;
    this.net = net;
    this.ps = ps;
    this.d = d;
    this.m = ps.atk.m;
    this.S = S;
    this.xf = new StaticArray<f64>(d * S);
    this.act = new StaticArray<f64>(net.nUnits * S);
    this.da = new StaticArray<f64>(net.maxWidth * S);
    this.db = new StaticArray<f64>(net.maxWidth * S);
    this.gx = new StaticArray<f64>(d * S);
    this.eta = new StaticArray<f64>(ps.n * d);
    this.live = new StaticArray<i32>(max(cap, 1));
    this.parked = new StaticArray<i32>(max(cap, 1));
    this.parkEvals = new StaticArray<i64>(ps.n);
    this.v = new StaticArray<f64>(d);
    this.gv = new StaticArray<f64>(d);
  }

  /**
   * `Attacker.pgd(eps)` for each of the `count` ≤ cap points pts[from], … (indices into the point
   * states), with the Attacker's knobs (steps, restarts, schedule, randomStart, norm). Writes the
   * outcome of point i to ok[i]; best results, random streams and `atk.evals` advance exactly as
   * the scalar calls would.
   *
   * A step is a deterministic function of (η, step size): when it leaves η bit for bit unchanged
   * (an ℓ∞ iterate pinned at a corner of the ball, a flat region), every following step with the
   * same step size repeats it exactly, evaluations and verdict included. Such points are parked:
   * their evaluations are counted without recomputing them until the step size changes or the
   * restart ends.
   */
  run(pts: StaticArray<i32>, from: i32, count: i32, eps: f64, ok: StaticArray<bool>): void {
    const ps = this.ps;
    const atk = ps.atk;
    const d = this.d;
    const m = this.m;
    const S = this.S;
    const inf = atk.norm == NORM_INF;
    const eta = this.eta;
    const live = this.live;
    const v = this.v;
    const gv = this.gv;
    const xf = changetype<usize>(this.xf);
    const gx = changetype<usize>(this.gx);
    const phiRow = changetype<usize>(this.act) + (<usize>(unchecked(this.net.uOff[this.net.L - 1]) * S) << 3);
    for (let k = 0; k < count; k++) {
      const i = unchecked(pts[from + k]);
      unchecked((ok[i] = false));
      unchecked((live[k] = i));
    }
    let nLive = count;
    let nParked = 0;
    let parkedEvals: i64 = 0;
    let evals: i64 = 0;
    const restarts = max(1, atk.restarts);
    const n = max(1, atk.steps);
    // Raw views of the per-point arrays for the step loop (kept alive by this object): plain
    // pointers spare the shadow-stack bookkeeping of managed references in the hot loop.
    const X = ps.X;
    const etaP = changetype<usize>(eta);
    const liveP = changetype<usize>(live);
    const parkedP = changetype<usize>(this.parked);
    const parkEvalsP = changetype<usize>(this.parkEvals);
    const xpP = changetype<usize>(atk.xp);
    const dirP = changetype<usize>(atk.dir);
    for (let r = 0; r < restarts && nLive > 0; r++) {
      // Starts: each point draws from its own stream, exactly as its scalar run would; x0 + η goes
      // to the feature-major inputs (the pad lane of an odd count gets a harmless 0).
      for (let k = 0; k < nLive; k++) {
        const i = unchecked(live[k]);
        const o = i * d;
        if (r == 0 && !atk.randomStart) {
          for (let j = 0; j < d; j++) unchecked((eta[o + j] = 0.0));
        } else {
          const rng = unchecked(ps.rngs[i]);
          if (rng !== null) atk.rng = rng;
          atk.randomInBall(v, eps);
          for (let j = 0; j < d; j++) unchecked((eta[o + j] = v[j]));
        }
        const x0 = ps.x(i);
        for (let j = 0; j < d; j++) {
          store<f64>(xf + (<usize>(j * S + k) << 3), load<f64>(x0 + (<usize>j << 3)) + unchecked(eta[o + j]));
        }
      }
      let aPrev = NaN;
      for (let t = 0; t < n && nLive + nParked > 0; t++) {
        const a = atk.stepSize(eps, t, n);
        if (a == aPrev) {
          evals += parkedEvals;
        } else {
          nLive = this.unpark(nLive, nParked);
          nParked = 0;
          parkedEvals = 0;
        }
        aPrev = a;
        if (nLive == 0) continue;
        if ((nLive & 1) != 0) for (let j = 0; j < d; j++) store<f64>(xf + (<usize>(j * S + nLive) << 3), 0.0);
        this.forwardGrad(nLive, true);
        evals += nLive;
        let kept = 0;
        for (let k = 0; k < nLive; k++) {
          const i = load<i32>(liveP + (<usize>k << 2));
          const o = i * d;
          const phi = load<f64>(phiRow + (<usize>k << 3));
          const xp0 = load<f64>(xf + (<usize>k << 3));
          // `direction`: dual norm of ∇φ, the nearer failure level, the ascent sign.
          let dual = 0.0;
          if (inf) {
            for (let j = 0; j < d; j++) dual += Math.abs(load<f64>(gx + (<usize>(j * S + k) << 3)));
          } else {
            for (let j = 0; j < d; j++) unchecked((gv[j] = load<f64>(gx + (<usize>(j * S + k) << 3))));
            dual = atk.normOf(gv);
          }
          const y = <f64>labelOf(xp0, m);
          const far = y > 0.5 ? 1.5 : -0.5;
          const target = targetLevel(phi, y);
          const sgn: f64 = target > phi ? 1.0 : -1.0;
          // 0: ascent from ∇φ; 1: from atk.dir (one-sided probes where ∇φ = 0); 2: no move (∇φ not finite).
          let src = 0;
          const evals0 = atk.evals;
          if (dual == 0) {
            ps.select(i);
            for (let j = 0; j < d; j++) store<f64>(xpP + (<usize>j << 3), load<f64>(xf + (<usize>(j * S + k) << 3)));
            atk.probe = a;
            const r1 = atk.oneSided(sgn, target, phi);
            if (!isFinite(r1)) atk.oneSided(-sgn, target == far ? 0.5 : far, phi);
            src = 1;
          } else if (!isFinite(dual)) {
            src = 2;
          }
          if (Math.abs(phi - y) >= 0.5) {
            // `pgd` returns `check` of this iterate, whose φ is the one just computed.
            for (let j = 0; j < d; j++) unchecked((v[j] = load<f64>(etaP + (<usize>(o + j) << 3))));
            unchecked((ok[i] = this.record(i, v, phi, xp0)));
            continue;
          }
          // η += a·dir, then the projection onto the ball; the next input x0 + η goes to slot `kept`.
          const x0 = X + (<usize>o << 3);
          let same = true;
          if (inf) {
            for (let j = 0; j < d; j++) {
              let dj = 0.0;
              if (src == 0) {
                const gj = sgn * load<f64>(gx + (<usize>(j * S + k) << 3));
                dj = gj > 0 ? 1.0 : gj < 0 ? -1.0 : 0.0;
              } else if (src == 1) {
                dj = load<f64>(dirP + (<usize>j << 3));
              }
              const ep = etaP + (<usize>(o + j) << 3);
              const e0 = load<f64>(ep);
              const e = Math.min(eps, Math.max(-eps, e0 + a * dj));
              if (reinterpret<i64>(e) != reinterpret<i64>(e0)) same = false;
              store<f64>(ep, e);
              store<f64>(xf + (<usize>(j * S + kept) << 3), load<f64>(x0 + (<usize>j << 3)) + e);
            }
          } else {
            for (let j = 0; j < d; j++) {
              let dj = 0.0;
              if (src == 0) dj = (sgn * load<f64>(gx + (<usize>(j * S + k) << 3))) / dual;
              else if (src == 1) dj = load<f64>(dirP + (<usize>j << 3));
              unchecked((v[j] = load<f64>(etaP + (<usize>(o + j) << 3)) + a * dj));
            }
            atk.project(v, eps);
            for (let j = 0; j < d; j++) {
              const e = unchecked(v[j]);
              const ep = etaP + (<usize>(o + j) << 3);
              if (reinterpret<i64>(e) != reinterpret<i64>(load<f64>(ep))) same = false;
              store<f64>(ep, e);
              store<f64>(xf + (<usize>(j * S + kept) << 3), load<f64>(x0 + (<usize>j << 3)) + e);
            }
          }
          if (same) {
            // This step's own evaluations: the batched one plus any one-sided probes.
            const e = 1 + (atk.evals - evals0);
            store<i64>(parkEvalsP + (<usize>i << 3), e);
            parkedEvals += e;
            store<i32>(parkedP + (<usize>nParked << 2), i);
            nParked++;
          } else {
            store<i32>(liveP + (<usize>kept << 2), i);
            kept++;
          }
        }
        nLive = kept;
      }
      // End of a restart: `check` the final iterates (x0 + η is already in the inputs).
      nLive = this.unpark(nLive, nParked);
      nParked = 0;
      parkedEvals = 0;
      if (nLive == 0) break;
      if ((nLive & 1) != 0) for (let j = 0; j < d; j++) store<f64>(xf + (<usize>(j * S + nLive) << 3), 0.0);
      this.forwardGrad(nLive, false);
      let kept = 0;
      for (let k = 0; k < nLive; k++) {
        const i = unchecked(live[k]);
        const o = i * d;
        for (let j = 0; j < d; j++) unchecked((v[j] = eta[o + j]));
        const phi = load<f64>(phiRow + (<usize>k << 3));
        if (this.record(i, v, phi, load<f64>(xf + (<usize>k << 3)))) {
          unchecked((ok[i] = true));
        } else {
          // The next restart refills the inputs from slot 0; keep the order of the live points.
          unchecked((live[kept++] = i));
        }
      }
      nLive = kept;
    }
    atk.evals += evals;
  }

  /** Move the parked points back to the live list (inputs x0 + η included); returns its length. */
  unpark(nLive: i32, nParked: i32): i32 {
    const live = this.live;
    const parked = this.parked;
    const eta = this.eta;
    const xf = changetype<usize>(this.xf);
    const d = this.d;
    const S = this.S;
    for (let q = 0; q < nParked; q++) {
      const i = unchecked(parked[q]);
      const x0 = this.ps.x(i);
      const o = i * d;
      for (let j = 0; j < d; j++) {
        store<f64>(xf + (<usize>(j * S + nLive) << 3), load<f64>(x0 + (<usize>j << 3)) + unchecked(eta[o + j]));
      }
      unchecked((live[nLive++] = i));
    }
    return nLive;
  }

  /**
   * `Attacker.check(v)` for point i given φ(x0 + v) and the first coordinate of x0 + v (already
   * computed by the batch): counts the evaluation `score` would make and keeps v when it is
   * adversarial with a finite norm smaller than the point's best.
   */
  record(i: i32, v: StaticArray<f64>, phi: f64, xp0: f64): bool {
    const ps = this.ps;
    const atk = ps.atk;
    const nrm = atk.normOf(v);
    if (!isFinite(nrm)) return false;
    atk.evals++;
    if (!(Math.abs(phi - <f64>labelOf(xp0, this.m)) >= 0.5)) return false;
    if (nrm < unchecked(ps.bestNorm[i])) {
      unchecked((ps.bestNorm[i] = nrm));
      const d = this.d;
      const o = i * d;
      for (let j = 0; j < d; j++) unchecked((ps.best[o + j] = v[j]));
    }
    return true;
  }

  /**
   * φ (and ∇ₓφ when `grad`) of the first `nb` columns of `xf` (rounded up to even): activations
   * to `act`, the gradient to `gx`. Sums run in `Net.forward`/`Net.inputGrad` order, so each
   * column equals the single-point result bit for bit.
   */
  forwardGrad(nb: i32, grad: bool): void {
    const net = this.net;
    const L = net.L;
    const S = this.S;
    const sb = <usize>S << 3;
    const nbE = (nb + 1) & ~1;
    const params = net.params;
    const act = changetype<usize>(this.act);
    let inp = changetype<usize>(this.xf);
    for (let l = 1; l <= L; l++) {
      const nOut = unchecked(net.dims[l]);
      const nIn = unchecked(net.dims[l - 1]);
      const W = params + (<usize>unchecked(net.wOff[l - 1]) << 3);
      const bp = net.bias ? params + (<usize>unchecked(net.bOff[l - 1]) << 3) : 0;
      const out = act + <usize>unchecked(net.uOff[l - 1]) * sb;
      affine(W, nIn, 1, nOut, nIn, inp, out, sb, nbE, bp, l < L, 0);
      inp = out;
    }
    if (!grad) return;
    // Backward: δ_L = 1, then δ_{l−1,j} = Σ_i W_l[i][j]·δ_{l,i} (i ascending), zeroed where the
    // unit's activation is not > 0; at l = 1 the sums are ∇ₓφ.
    let cur = changetype<usize>(this.da);
    let nxt = changetype<usize>(this.db);
    const one = f64x2.splat(1.0);
    for (let b = 0; b < nbE; b += 2) v128.store(cur + (<usize>b << 3), one);
    for (let l = L; l >= 1; l--) {
      const nOut = unchecked(net.dims[l]);
      const nIn = unchecked(net.dims[l - 1]);
      const W = params + (<usize>unchecked(net.wOff[l - 1]) << 3);
      const dst = l > 1 ? nxt : changetype<usize>(this.gx);
      const aPrev = l > 1 ? act + <usize>unchecked(net.uOff[l - 2]) * sb : 0;
      affine(W, 1, nIn, nIn, nOut, cur, dst, sb, nbE, 0, false, aPrev);
      const tmp = cur;
      cur = nxt;
      nxt = tmp;
    }
  }
}

/**
 * out[r][b] = Σ_k M(r,k)·in[k][b] summed from 0 in increasing k, then + bias[r] (bias ≠ 0), then
 * max(·, 0) (`relu`) or zeroed where mask[r][b] is not > 0 (mask ≠ 0), for r < R and b < nbE
 * (even). M(r,k) = load<f64>(m + 8·(r·rs + k·cs)); rows of in/out/mask are `sb` bytes apart.
 * Four rows × four points at a time: eight independent sums keep the adds from waiting on each
 * other (one row's sums alone would be latency-bound); the order within each sum is unchanged.
 */
function affine(
  m: usize, rs: i32, cs: i32, R: i32, K: i32, inp: usize, out: usize, sb: usize, nbE: i32,
  bias: usize, relu: bool, mask: usize,
): void {
  const zero = f64x2.splat(0.0);
  const rsb = <usize>rs << 3;
  const csb = <usize>cs << 3;
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    const mr = m + <usize>r * rsb;
    let b = 0;
    for (; b + 4 <= nbE; b += 4) {
      let a00 = zero, a01 = zero, a10 = zero, a11 = zero;
      let a20 = zero, a21 = zero, a30 = zero, a31 = zero;
      let ip = inp + (<usize>b << 3);
      let mk = mr;
      for (let k = 0; k < K; k++, ip += sb, mk += csb) {
        const x0 = v128.load(ip);
        const x1 = v128.load(ip, 16);
        const w0 = v128.load64_splat(mk);
        const w1 = v128.load64_splat(mk + rsb);
        const w2 = v128.load64_splat(mk + 2 * rsb);
        const w3 = v128.load64_splat(mk + 3 * rsb);
        a00 = f64x2.add(a00, f64x2.mul(w0, x0));
        a01 = f64x2.add(a01, f64x2.mul(w0, x1));
        a10 = f64x2.add(a10, f64x2.mul(w1, x0));
        a11 = f64x2.add(a11, f64x2.mul(w1, x1));
        a20 = f64x2.add(a20, f64x2.mul(w2, x0));
        a21 = f64x2.add(a21, f64x2.mul(w2, x1));
        a30 = f64x2.add(a30, f64x2.mul(w3, x0));
        a31 = f64x2.add(a31, f64x2.mul(w3, x1));
      }
      const o = out + <usize>r * sb + (<usize>b << 3);
      finish(o, a00, a01, bias, r, relu, mask, r, sb, b, false);
      finish(o + sb, a10, a11, bias, r + 1, relu, mask, r + 1, sb, b, false);
      finish(o + 2 * sb, a20, a21, bias, r + 2, relu, mask, r + 2, sb, b, false);
      finish(o + 3 * sb, a30, a31, bias, r + 3, relu, mask, r + 3, sb, b, false);
    }
    if (b < nbE) {
      // nbE is even: a last block of two points.
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      let ip = inp + (<usize>b << 3);
      let mk = mr;
      for (let k = 0; k < K; k++, ip += sb, mk += csb) {
        const x0 = v128.load(ip);
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(mk), x0));
        a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(mk + rsb), x0));
        a2 = f64x2.add(a2, f64x2.mul(v128.load64_splat(mk + 2 * rsb), x0));
        a3 = f64x2.add(a3, f64x2.mul(v128.load64_splat(mk + 3 * rsb), x0));
      }
      const o = out + <usize>r * sb + (<usize>b << 3);
      finish(o, a0, zero, bias, r, relu, mask, r, sb, b, true);
      finish(o + sb, a1, zero, bias, r + 1, relu, mask, r + 1, sb, b, true);
      finish(o + 2 * sb, a2, zero, bias, r + 2, relu, mask, r + 2, sb, b, true);
      finish(o + 3 * sb, a3, zero, bias, r + 3, relu, mask, r + 3, sb, b, true);
    }
  }
  // Remaining rows one at a time, eight points per block (four independent sums).
  for (; r < R; r++) {
    const mr = m + <usize>r * rsb;
    const o = out + <usize>r * sb;
    let b = 0;
    for (; b + 8 <= nbE; b += 8) {
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      let ip = inp + (<usize>b << 3);
      let mk = mr;
      for (let k = 0; k < K; k++, ip += sb, mk += csb) {
        const w = v128.load64_splat(mk);
        s0 = f64x2.add(s0, f64x2.mul(w, v128.load(ip)));
        s1 = f64x2.add(s1, f64x2.mul(w, v128.load(ip, 16)));
        s2 = f64x2.add(s2, f64x2.mul(w, v128.load(ip, 32)));
        s3 = f64x2.add(s3, f64x2.mul(w, v128.load(ip, 48)));
      }
      finish(o + (<usize>b << 3), s0, s1, bias, r, relu, mask, r, sb, b, false);
      finish(o + (<usize>(b + 4) << 3), s2, s3, bias, r, relu, mask, r, sb, b + 4, false);
    }
    for (; b < nbE; b += 2) {
      let s0 = zero;
      let ip = inp + (<usize>b << 3);
      let mk = mr;
      for (let k = 0; k < K; k++, ip += sb, mk += csb) {
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(mk), v128.load(ip)));
      }
      finish(o + (<usize>b << 3), s0, zero, bias, r, relu, mask, r, sb, b, true);
    }
  }
}

/** Bias, ReLU or mask, and store of two point-pairs (only the first when `two`) of row r. */
@inline function finish(
  o: usize, s0: v128, s1: v128, bias: usize, bi: i32, relu: bool, mask: usize, r: i32, sb: usize, b: i32, two: bool,
): void {
  const zero = f64x2.splat(0.0);
  if (bias != 0) {
    const bv = f64x2.splat(load<f64>(bias + (<usize>bi << 3)));
    s0 = f64x2.add(s0, bv);
    s1 = f64x2.add(s1, bv);
  }
  if (relu) {
    // pmax(s, 0) = s < 0 ? 0 : s: one instruction where max is a NaN/signed-zero sequence. It
    // keeps NaN and differs from max only by leaving −0 for s = −0, which nothing can see: an
    // activation enters later sums (which start from +0, and +0 + ±0 = +0) and the mask a > 0.
    s0 = f64x2.pmax(s0, zero);
    s1 = f64x2.pmax(s1, zero);
  }
  if (mask != 0) {
    const mp = mask + <usize>r * sb + (<usize>b << 3);
    s0 = v128.and(s0, f64x2.gt(v128.load(mp), zero));
    if (!two) s1 = v128.and(s1, f64x2.gt(v128.load(mp, 16), zero));
  }
  v128.store(o, s0);
  if (!two) v128.store(o, s1, 16);
}
