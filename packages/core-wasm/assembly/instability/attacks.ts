// Adversarial attacks on a scalar ReLU network against the stripes classifier f, in ℓ∞ or ℓ2.
// The success criterion is SPEC §1: x' = x + η is adversarial iff |φ(x') − f(x')| ≥ 1/2, with f
// evaluated at the MOVED point (an attack that crosses a stripe boundary is judged by the new
// label). Every attack verifies its candidate with that exact test before reporting it, and keeps
// the perturbation so a user can replay it. Gradient attacks push φ towards whichever of the two
// failure levels (1/2, or y ± 1/2 on the far side) is nearer to first order.

import { Net } from "./net";
import { labelOf, stripeOf } from "./stripes";
import { NORM_INF, NORM_L2 } from "../certify/rounding";
import { Philox } from "../rng/philox";

/** Attack identifiers (also bit positions in the trial's attack mask). */
export const ATK_FGSM: i32 = 0;
export const ATK_PGD: i32 = 1;
export const ATK_FMN: i32 = 2;
export const ATK_BISECT: i32 = 3;
export const ATK_LINE: i32 = 4;
export const ATK_DEEPFOOL: i32 = 5;
export const ATK_RANDOM: i32 = 6;

/** PGD step schedules. */
export const SCHED_CONSTANT: i32 = 0;
export const SCHED_COSINE: i32 = 1;
export const SCHED_STEP: i32 = 2;

const PI: f64 = 3.141592653589793;

/**
 * The failure level a gradient attack aims for from φ at a point of label y: the other class's
 * level 1/2, or the overshoot y ± 1/2 on the far side, whichever is nearer. A tie within the
 * rounding of φ goes to 1/2: the far level may be out of reach (a network that saturates, like the
 * shortcut σ, whose class-1 points sit exactly at the tie with φ = 1 up to an ulp), whereas a
 * continuous φ that leaves the class must cross 1/2.
 */
@inline export function targetLevel(phi: f64, y: f64): f64 {
  const far = y > 0.5 ? 1.5 : -0.5;
  const noise = 1e-12 * (1.0 + Math.abs(phi));
  return Math.abs(far - phi) < Math.abs(0.5 - phi) - noise ? far : 0.5;
}

/** Per-call attack state: the network, the point, scratch vectors and the best result so far. */
export class Attacker {
  net: Net;
  m: i32;
  d: i32;
  norm: i32;
  rng: Philox;
  x0: usize = 0;
  y0: i32 = 0;
  xp: StaticArray<f64>;
  g: StaticArray<f64>;
  eta: StaticArray<f64>;
  cand: StaticArray<f64>;
  dir: StaticArray<f64>;
  /** Best (smallest-norm) adversarial perturbation found since `setPoint`. */
  best: StaticArray<f64>;
  bestNorm: f64 = Infinity;
  /** Scale of the secant probe used where the gradient vanishes (0: exact one-sided derivatives). */
  probe: f64 = 0;
  /** Scratch point for the secant probe. */
  xs: StaticArray<f64>;
  /** Perturbation of the last successful single attack call. */
  last: StaticArray<f64>;
  lastNorm: f64 = Infinity;
  /** φ at the last evaluated point. */
  phi: f64 = 0;
  /** Gradient and value evaluations (for benchmarks). */
  evals: i64 = 0;
  // PGD knobs
  steps: i32 = 20;
  restarts: i32 = 1;
  schedule: i32 = SCHED_CONSTANT;
  randomStart: bool = true;

  constructor(net: Net, m: i32, norm: i32, rng: Philox) {
    this.net = net;
    this.m = m;
    this.d = net.d;
    this.norm = norm;
    this.rng = rng;
    const d = net.d;
    this.xp = new StaticArray<f64>(d);
    this.g = new StaticArray<f64>(d);
    this.eta = new StaticArray<f64>(d);
    this.cand = new StaticArray<f64>(d);
    this.dir = new StaticArray<f64>(d);
    this.best = new StaticArray<f64>(d);
    this.last = new StaticArray<f64>(d);
    this.xs = new StaticArray<f64>(d);
  }

  /** Attack the point at `x0` (d values) whose label is f(x0); resets the best result. */
  setPoint(x0: usize): void {
    this.x0 = x0;
    this.y0 = labelOf(load<f64>(x0), this.m);
    this.bestNorm = Infinity;
    this.lastNorm = Infinity;
  }

  @inline x0At(j: i32): f64 {
    return load<f64>(this.x0 + (<usize>j << 3));
  }

  /** ‖v‖ in the attack's norm. */
  normOf(v: StaticArray<f64>): f64 {
    // ℓ2 is computed scaled, so tiny or huge entries neither underflow nor overflow.
    let big = 0.0;
    for (let j = 0; j < this.d; j++) big = Math.max(big, Math.abs(unchecked(v[j])));
    if (this.norm == NORM_INF || big == 0 || !isFinite(big)) return big;
    let s = 0.0;
    for (let j = 0; j < this.d; j++) {
      const a = unchecked(v[j]) / big;
      s += a * a;
    }
    return big * Math.sqrt(s);
  }

  /** Project v onto the ball of radius eps. */
  project(v: StaticArray<f64>, eps: f64): void {
    if (this.norm == NORM_INF) {
      for (let j = 0; j < this.d; j++) unchecked((v[j] = Math.min(eps, Math.max(-eps, unchecked(v[j])))));
    } else {
      let n = this.normOf(v);
      // Rounding can leave the rescaled vector an ulp outside the ball: shrink until it is inside.
      for (let k = 0; k < 4 && n > eps; k++) {
        const s = (eps / n) * (1.0 - <f64>k * 2.220446049250313e-16);
        for (let j = 0; j < this.d; j++) unchecked((v[j] *= s));
        n = this.normOf(v);
      }
    }
  }

  /** |φ(x0 + v) − f(x0 + v)|; leaves φ in `phi` and x0 + v in `xp`. */
  score(v: StaticArray<f64>): f64 {
    const xp = this.xp;
    for (let j = 0; j < this.d; j++) unchecked((xp[j] = this.x0At(j) + unchecked(v[j])));
    this.evals++;
    const phi = this.net.forward(changetype<usize>(xp));
    this.phi = phi;
    return Math.abs(phi - <f64>labelOf(unchecked(xp[0]), this.m));
  }

  /** Record v as a success if it is adversarial (with a finite norm); returns whether it is. */
  check(v: StaticArray<f64>): bool {
    const n = this.normOf(v);
    if (!isFinite(n)) return false; // a runaway step (flat φ) is no perturbation
    const s = this.score(v);
    if (!(s >= 0.5)) return false;
    this.lastNorm = n;
    for (let j = 0; j < this.d; j++) unchecked((this.last[j] = v[j]));
    if (n < this.bestNorm) {
      this.bestNorm = n;
      for (let j = 0; j < this.d; j++) unchecked((this.best[j] = v[j]));
    }
    return true;
  }

  /**
   * Evaluate φ and ∇φ at x0 + v; return the first-order distance to the nearer failure level and
   * leave in `dir` the unit-norm (in the attack norm's sense) ascent direction towards it.
   */
  direction(v: StaticArray<f64>): f64 {
    const xp = this.xp;
    for (let j = 0; j < this.d; j++) unchecked((xp[j] = this.x0At(j) + unchecked(v[j])));
    this.evals++;
    const phi = this.net.forward(changetype<usize>(xp));
    this.phi = phi;
    const g = this.g;
    this.net.inputGrad(changetype<usize>(g));
    const y = <f64>labelOf(unchecked(xp[0]), this.m);
    // Dual norm of the gradient: how fast φ can move per unit of perturbation.
    let dual = 0.0;
    if (this.norm == NORM_INF) {
      for (let j = 0; j < this.d; j++) dual += Math.abs(unchecked(g[j]));
    } else {
      dual = this.normOf(g); // the ℓ2 norm is its own dual
    }
    // Two failure levels: the other class (1/2) and the overshoot on the far side (y ± 1/2 away).
    const far = y > 0.5 ? 1.5 : -0.5;
    const target = targetLevel(phi, y);
    const sgn: f64 = target > phi ? 1.0 : -1.0;
    const dirv = this.dir;
    if (dual == 0) {
      // Flat here: try the nearer level first, then the other one (σ cannot overshoot, say).
      const r = this.oneSided(sgn, target, phi);
      if (isFinite(r)) return r;
      return this.oneSided(-sgn, target == far ? 0.5 : far, phi);
    }
    if (!isFinite(dual)) {
      for (let j = 0; j < this.d; j++) unchecked((dirv[j] = 0.0));
      return Infinity;
    }
    for (let j = 0; j < this.d; j++) {
      const gj = sgn * unchecked(g[j]);
      unchecked((dirv[j] = this.norm == NORM_INF ? (gj > 0 ? 1.0 : gj < 0 ? -1.0 : 0.0) : gj / dual));
    }
    return Math.abs(target - phi) / dual;
  }

  /**
   * Ascent direction from one-sided derivatives along ±e_j, used where the gradient is exactly 0
   * (e.g. every unit sits at a ReLU kink, as σ does at its class-0 points: ReLU'(0) = 0 would
   * otherwise freeze every gradient attack there). Fills `dir`, returns the first-order distance.
   */
  oneSided(sgn: f64, target: f64, phi: f64): f64 {
    const d = this.d;
    const e = this.cand;
    const dirv = this.dir;
    const g = this.g;
    const xp = changetype<usize>(this.xp);
    let dual = 0.0;
    const h = this.probe;
    const xs = this.xs;
    for (let j = 0; j < d; j++) {
      let up = 0.0;
      let down = 0.0;
      if (h > 0) {
        // Secant slopes over the attack's own step: robust when x sits a rounding error short of
        // a kink, where the exact one-sided derivative is still 0.
        for (let q = 0; q < d; q++) unchecked((xs[q] = this.xp[q]));
        const xj = unchecked(xs[j]);
        unchecked((xs[j] = xj + h));
        // Changes at the rounding level of φ are noise, not ascent.
        const noise = 1e-12 * (1.0 + Math.abs(phi));
        let dUp = this.net.forward(changetype<usize>(xs)) - phi;
        unchecked((xs[j] = xj - h));
        let dDown = this.net.forward(changetype<usize>(xs)) - phi;
        if (Math.abs(dUp) <= noise) dUp = 0;
        if (Math.abs(dDown) <= noise) dDown = 0;
        up = (sgn * dUp) / h;
        down = (sgn * dDown) / h;
        this.evals += 2;
      } else {
        for (let q = 0; q < d; q++) unchecked((e[q] = 0.0));
        unchecked((e[j] = 1.0));
        this.evals++;
        this.net.forwardDir(xp, changetype<usize>(e));
        up = sgn * this.net.lastDerivative;
        unchecked((e[j] = -1.0));
        this.net.forwardDir(xp, changetype<usize>(e));
        down = sgn * this.net.lastDerivative;
      }
      // g_j: signed gain per unit step along the better of ±e_j (0 when neither helps).
      const gj = up >= down ? (up > 0 ? up : 0.0) : -down;
      unchecked((g[j] = gj));
    }
    if (this.norm == NORM_INF) {
      for (let j = 0; j < d; j++) dual += Math.abs(unchecked(g[j]));
    } else {
      dual = this.normOf(g);
    }
    if (dual == 0 || !isFinite(dual)) {
      for (let j = 0; j < d; j++) unchecked((dirv[j] = 0.0));
      return Infinity;
    }
    for (let j = 0; j < d; j++) {
      const gj = unchecked(g[j]);
      unchecked((dirv[j] = this.norm == NORM_INF ? (gj > 0 ? 1.0 : gj < 0 ? -1.0 : 0.0) : gj / dual));
    }
    return Math.abs(target - phi) / dual;
  }

  /**
   * Shrink the best perturbation along its own ray by bisection on the scale s ∈ (0, 1]: every
   * scale tried is verified, so this only ever improves the minimal-norm result.
   */
  polish(iters: i32): void {
    if (!isFinite(this.bestNorm)) return;
    const d = this.d;
    const base = this.eta;
    const cand = this.cand;
    for (let j = 0; j < d; j++) unchecked((base[j] = this.best[j]));
    let lo = 0.0;
    let hi = 1.0;
    for (let it = 0; it < iters; it++) {
      const mid = 0.5 * (lo + hi);
      for (let j = 0; j < d; j++) unchecked((cand[j] = mid * base[j]));
      if (this.check(cand)) hi = mid;
      else lo = mid;
    }
  }

  /** A uniform random point of the ball of radius eps, into v. */
  randomInBall(v: StaticArray<f64>, eps: f64): void {
    const d = this.d;
    if (this.norm == NORM_INF) {
      for (let j = 0; j < d; j++) unchecked((v[j] = eps * (2.0 * this.rng.uniform() - 1.0)));
    } else {
      let s = 0.0;
      for (let j = 0; j < d; j++) {
        const z = this.rng.normal();
        unchecked((v[j] = z));
        s += z * z;
      }
      const r = eps * Math.pow(this.rng.uniform(), 1.0 / <f64>d) / Math.sqrt(Math.max(s, 1e-300));
      for (let j = 0; j < d; j++) unchecked((v[j] *= r));
    }
  }

  /** FGSM: one full-size step of radius eps in the first-order ascent direction. */
  fgsm(eps: f64): bool {
    const eta = this.eta;
    for (let j = 0; j < this.d; j++) unchecked((eta[j] = 0.0));
    if (this.check(eta)) return true;
    this.probe = eps;
    this.direction(eta);
    for (let j = 0; j < this.d; j++) unchecked((eta[j] = eps * this.dir[j]));
    this.project(eta, eps);
    return this.check(eta);
  }

  /** Step size of PGD step t of n for radius eps under the schedule. */
  @inline stepSize(eps: f64, t: i32, n: i32): f64 {
    const base = 2.5 * eps / <f64>n;
    if (this.schedule == SCHED_COSINE) return 2.0 * base * 0.5 * (1.0 + Math.cos(PI * <f64>t / <f64>n));
    if (this.schedule == SCHED_STEP) return t < n / 2 ? 2.0 * base : t < (3 * n) / 4 ? base : 0.5 * base;
    return base;
  }

  /**
   * PGD in the ball of radius eps: `restarts` runs of `steps` projected steps, each from a random
   * point of the ball (the first from the centre when `randomStart` is false). Stops at the first
   * verified adversarial iterate.
   */
  pgd(eps: f64): bool {
    const eta = this.eta;
    const d = this.d;
    for (let r = 0; r < max(1, this.restarts); r++) {
      if (r == 0 && !this.randomStart) for (let j = 0; j < d; j++) unchecked((eta[j] = 0.0));
      else this.randomInBall(eta, eps);
      const n = max(1, this.steps);
      for (let t = 0; t < n; t++) {
        const a = this.stepSize(eps, t, n);
        this.probe = a;
        this.direction(eta);
        if (this.adversarialAtXp()) return this.check(eta);
        for (let j = 0; j < d; j++) unchecked((eta[j] += a * this.dir[j]));
        this.project(eta, eps);
      }
      if (this.check(eta)) return true;
    }
    return false;
  }

  /** Whether the point last evaluated by `direction` is adversarial (uses the cached φ). */
  @inline adversarialAtXp(): bool {
    return Math.abs(this.phi - <f64>labelOf(unchecked(this.xp[0]), this.m)) >= 0.5;
  }

  /**
   * Fast minimum-norm attack (after Pintor et al., FMN): alternate a normalised gradient step with
   * an adaptive radius that shrinks below every adversarial iterate and grows to the first-order
   * distance to the failure level otherwise; keeps the smallest verified adversarial perturbation.
   */
  fmn(steps: i32, epsMax: f64): bool {
    const eta = this.eta;
    const d = this.d;
    for (let j = 0; j < d; j++) unchecked((eta[j] = 0.0));
    let eps = 0.0;
    let found = false;
    let bestHere = Infinity;
    const n = max(1, steps);
    for (let t = 0; t < n; t++) {
      const cosf = 0.5 * (1.0 + Math.cos(PI * <f64>t / <f64>n));
      const gamma = 0.05 * cosf + 0.001;
      const alpha = 1.0 * cosf + 0.01;
      this.probe = Math.max(eps, 1e-9 * epsMax);
      const dist = this.direction(eta);
      const cur = this.normOf(eta);
      if (this.adversarialAtXp()) {
        if (this.check(eta)) {
          found = true;
          if (this.lastNorm < bestHere) bestHere = this.lastNorm;
        }
        eps = Math.min(eps, cur) * (1.0 - gamma);
      } else {
        const want = isFinite(dist) ? cur + dist : eps * (1.0 + gamma);
        eps = found ? Math.min(want, bestHere) : Math.max(eps * (1.0 + gamma), want);
        if (!(eps <= epsMax)) eps = epsMax;
      }
      const a = alpha * Math.max(eps, 1e-12);
      for (let j = 0; j < d; j++) unchecked((eta[j] += a * this.dir[j]));
      this.project(eta, eps);
    }
    if (this.check(eta)) found = true;
    if (found) this.polish(40);
    return found;
  }

  /**
   * Minimal radius by bisection over PGD: PGD at the midpoint of [lo, hi] decides which half to
   * keep; a success also shrinks hi to the norm actually found.
   */
  bisect(hi: f64, iters: i32): bool {
    if (!this.pgd(hi)) return false;
    let h = Math.min(hi, this.lastNorm);
    let lo = 0.0;
    for (let it = 0; it < iters; it++) {
      const mid = 0.5 * (lo + h);
      if (this.pgd(mid)) h = Math.min(mid, this.lastNorm);
      else lo = mid;
    }
    this.polish(40);
    return true;
  }

  /**
   * DeepFool-style: repeatedly jump to the first-order solution of φ = (nearer failure level),
   * with a small overshoot, until the point is verified adversarial.
   */
  deepfool(maxIter: i32, overshoot: f64): bool {
    const eta = this.eta;
    const d = this.d;
    for (let j = 0; j < d; j++) unchecked((eta[j] = 0.0));
    let ok = false;
    // DeepFool has no radius of its own: probe a vanishing gradient over a small fixed step.
    this.probe = 1e-7;
    for (let it = 0; it < maxIter; it++) {
      const dist = this.direction(eta);
      if (this.adversarialAtXp()) {
        ok = this.check(eta);
        break;
      }
      if (!isFinite(dist)) return false;
      const step = dist * (1.0 + overshoot) + 1e-12;
      for (let j = 0; j < d; j++) unchecked((eta[j] += step * this.dir[j]));
    }
    if (!ok) ok = this.check(eta);
    // The overshoot is a convergence aid, not part of the answer: take it back where possible.
    if (ok) this.polish(40);
    return ok;
  }

  /**
   * Gradient-free random search in the ball of radius eps (no gradients, so gradient masking
   * cannot hide a flip): starts from a random extreme point, proposes Gaussian moves with a
   * shrinking scale and occasional fresh uniform samples, keeps the best score |φ − f|.
   */
  randomSearch(eps: f64, queries: i32): bool {
    const eta = this.eta;
    const cand = this.cand;
    const d = this.d;
    const rng = this.rng;
    // Start on the sphere / at a vertex: large perturbations first.
    if (this.norm == NORM_INF) {
      for (let j = 0; j < d; j++) unchecked((eta[j] = rng.uniform() < 0.5 ? -eps : eps));
    } else {
      this.randomInBall(eta, eps);
      const n = this.normOf(eta);
      if (n > 0) for (let j = 0; j < d; j++) unchecked((eta[j] *= eps / n));
    }
    if (this.check(eta)) return true;
    let best = this.score(eta);
    // (1+1) evolution strategy with the 1/5 success rule: the step grows after an improvement and
    // shrinks slowly otherwise, so the search can close in on a thin adversarial region.
    let sigma = 0.3 * eps;
    const shrink = Math.pow(1.5, -0.25);
    for (let q = 0; q < queries; q++) {
      const fresh = rng.uniform() < 0.1;
      if (fresh) {
        this.randomInBall(cand, eps);
      } else {
        for (let j = 0; j < d; j++) unchecked((cand[j] = eta[j] + sigma * rng.normal()));
        this.project(cand, eps);
      }
      const s = this.score(cand);
      if (s >= 0.5 && this.check(cand)) return true;
      if (s > best) {
        best = s;
        for (let j = 0; j < d; j++) unchecked((eta[j] = cand[j]));
        if (!fresh) sigma = Math.min(sigma * 1.5, 2.0 * eps);
      } else if (!fresh) {
        sigma = Math.max(sigma * shrink, 1e-12 * eps);
      }
    }
    return false;
  }

  /**
   * Exact search along the coordinate rays x0 ± t·e_i, t ∈ [0, tMax], for every i: walks the
   * linear pieces of φ along the ray (forward-mode derivative, next ReLU switch), splits them at
   * f's discontinuities, solves |φ − f| = 1/2 in closed form on each piece and verifies the root
   * (nudging it forward by ulps where rounding puts it a hair early). Exact up to that rounding.
   */
  lineSearch(tMax: f64): bool {
    let found = false;
    for (let i = 0; i < this.d; i++) {
      for (let s = -1; s <= 1; s += 2) {
        if (this.ray(i, <f64>s, tMax)) found = true;
      }
    }
    return found;
  }

  /** One ray of `lineSearch`; records a success through `check`. */
  ray(i: i32, sgn: f64, tMax: f64): bool {
    const d = this.d;
    const dir = this.dir;
    const eta = this.eta;
    const xp = this.xp;
    for (let j = 0; j < d; j++) unchecked((dir[j] = 0.0));
    unchecked((dir[i] = sgn));
    const m = this.m;
    const fm = <f64>m;
    const xi = this.x0At(i);
    let t0 = 0.0;
    for (let iter = 0; iter < 100000 && t0 <= tMax; iter++) {
      for (let j = 0; j < d; j++) unchecked((xp[j] = this.x0At(j)));
      unchecked((xp[i] = xi + sgn * t0));
      this.evals++;
      const phi0 = this.net.forwardDir(changetype<usize>(xp), changetype<usize>(dir));
      const dphi = this.net.lastDerivative;
      let te = t0 + this.net.nextKink();
      // f changes only along e_1: stop the piece at the next stripe boundary.
      if (i == 0) {
        const x1 = unchecked(xp[0]);
        let k = stripeOf(x1, m);
        // Moving down from exactly k/m, the piece ahead already lies in stripe k − 1.
        if (sgn < 0 && k > 0 && x1 == <f64>k / fm) k--;
        let tb = Infinity;
        if (sgn > 0 && k < m - 1) tb = <f64>(k + 1) / fm - xi;
        if (sgn < 0 && k > 0) tb = xi - <f64>k / fm;
        if (tb < te) te = tb;
      }
      if (te > tMax) te = tMax;
      if (!(te > t0)) te = t0 + Math.max(Math.abs(t0), 1e-300) * 2.220446049250313e-16;
      // Label on the open piece (t0, te): evaluated just inside it.
      const tmid = isFinite(te) ? 0.5 * (t0 + te) : t0 + 1.0;
      const y = <f64>(i == 0 ? labelOf(xi + sgn * tmid, m) : labelOf(unchecked(xp[0]), m));
      let tc = -1.0;
      if (Math.abs(phi0 - y) >= 0.5) {
        tc = t0;
      } else if (dphi != 0) {
        // Roots of φ0 + dphi·(t − t0) = y ± 1/2 ahead of t0.
        const r1 = t0 + (y + 0.5 - phi0) / dphi;
        const r2 = t0 + (y - 0.5 - phi0) / dphi;
        let r = Infinity;
        if (r1 >= t0) r = r1;
        if (r2 >= t0 && r2 < r) r = r2;
        if (r <= te) tc = r;
      }
      if (tc >= 0) {
        // Verify, nudging forward while rounding keeps the point a hair on the safe side.
        let step = Math.max(Math.abs(tc), 1e-300) * 2.220446049250313e-16;
        for (let k = 0; k < 80 && tc <= te + step; k++) {
          for (let j = 0; j < d; j++) unchecked((eta[j] = 0.0));
          unchecked((eta[i] = sgn * tc));
          if (this.check(eta)) return true;
          tc += step;
          step *= 2.0;
        }
      }
      if (te >= tMax) break;
      t0 = te;
    }
    return false;
  }
}
