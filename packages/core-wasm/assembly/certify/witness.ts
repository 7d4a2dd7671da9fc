// Sound witnesses, problem-agnostic: an attack's perturbation η of a point x counts as an upper
// bound of the robustness radius only after the moved f64 point z = fl(x + η) is confirmed
// adversarial in exact arithmetic (φ(z) enclosed with outward rounding, point.ts, and the criterion
// decided on the enclosure). A witness that cannot be confirmed is nudged outward (η scaled by
// 1 + 2^k·u for k = 1, 2, …, the first confirmed scale wins) or, failing that, dropped. The bound
// reported is an upper bound of the exact ‖z − x‖ (distanceUpper).
//
// `SoundWitness` owns the nudge loop; a criterion subclasses it and says when a point is
// adversarial: the stripes label (instability/witness.ts) or a data set's label under the binary
// or multi-class criterion (`CriterionWitness`, for `analyse`).

import { Net } from "../instability/net";
import { distanceUpper, phiEnclosure } from "./point";

/** Largest relative nudge tried: 2^-10 (k up to 43 in 1 + 2^k·u). */
const MAX_NUDGE_STEPS = 43;
const U: f64 = 1.1102230246251565e-16;

/** Outcome of `SoundWitness.confirm`. */
export const WIT_CONFIRMED: i32 = 0;
export const WIT_NUDGED: i32 = 1;
export const WIT_DROPPED: i32 = 2;

/** The nudge-or-drop confirmation of a perturbation, for any criterion (`adversarialAt`). */
export class SoundWitness {
  norm: i32;
  d: i32;
  /** The moved point z = fl(x + s·η). */
  z: StaticArray<f64>;
  /** Outcome of the last `confirm` (WIT_*). */
  status: i32 = WIT_CONFIRMED;
  /** Sound radius of the last `confirm` (∞ when dropped). */
  radius: f64 = Infinity;

  constructor(d: i32, norm: i32) {
    this.d = d;
    this.norm = norm;
    this.z = new StaticArray<f64>(d);
  }

  /** Whether the f64 point at `z` is adversarial in exact arithmetic (overridden by each criterion). */
  adversarialAt(z: usize): bool {
    return false;
  }

  /**
   * Confirm the perturbation η (at `eta`, d values; scaled in place when nudged) of the point x:
   * sets `status` and `radius` (an upper bound of the exact ‖fl(x + η) − x‖ for the final η, ∞
   * when dropped) and returns the radius.
   */
  confirm(x: usize, eta: usize): f64 {
    const d = this.d;
    const z = changetype<usize>(this.z);
    let zero = true;
    for (let j = 0; j < d; j++) if (load<f64>(eta + (<usize>j << 3)) != 0) zero = false;
    let s = 1.0;
    let step = U;
    // η = 0 (the point itself): scaling cannot move it, so one check decides.
    const steps = zero ? 0 : MAX_NUDGE_STEPS;
    for (let k = 0; k <= steps; k++) {
      if (k > 0) {
        step *= 2.0;
        s = 1.0 + step;
      }
      for (let j = 0; j < d; j++) {
        const o = <usize>j << 3;
        store<f64>(z + o, load<f64>(x + o) + s * load<f64>(eta + o));
      }
      if (this.adversarialAt(z)) {
        if (k > 0) for (let j = 0; j < d; j++) store<f64>(eta + (<usize>j << 3), s * load<f64>(eta + (<usize>j << 3)));
        this.status = k == 0 ? WIT_CONFIRMED : WIT_NUDGED;
        this.radius = distanceUpper(x, z, d, this.norm);
        return this.radius;
      }
    }
    this.status = WIT_DROPPED;
    this.radius = Infinity;
    return Infinity;
  }
}

/** `CriterionWitness` check kinds (triples kind, rowA, rowB). */
export const CRIT_BINARY: i32 = 0;
export const CRIT_DIFF: i32 = 1;
export const CRIT_PAIR: i32 = 2;

/**
 * A data criterion on a network whose output rows share the hidden layers. The scalar network
 * `net` holds the hidden layers and one output row, which is overwritten with row r of `rows`
 * (each row: the previous layer's width of weights, then the bias when there are biases) before
 * each enclosure. A point is adversarial when one check holds for the exact outputs:
 *   CRIT_BINARY (row a, label y): |φ_a − y| ≥ 1/2  (enclosure at distance ≥ 1/2 from y);
 *   CRIT_DIFF   (row a = φ_y − φ_j, exact):  φ_a ≤ 0;
 *   CRIT_PAIR   (rows a = φ_y, b = φ_j):      φ_a ≤ φ_b  (upper end of a ≤ lower end of b).
 */
export class CriterionWitness extends SoundWitness {
  net: Net;
  rows: usize;
  rowLen: i32;
  rowOff: i32;
  checks: usize;
  nChecks: i32;
  label: f64;
  enc: StaticArray<f64> = new StaticArray<f64>(2);

  constructor(net: Net, rows: usize, checks: usize, nChecks: i32, label: f64, norm: i32) {
    super(net.d, norm);
    this.net = net;
    this.rows = rows;
    const nPrev = net.dims[net.L - 1];
    this.rowLen = nPrev + (net.bias ? 1 : 0);
    this.rowOff = net.wOff[net.L - 1];
    this.checks = checks;
    this.nChecks = nChecks;
    this.label = label;
  }

  /** Enclose the output with row r of `rows` in place; lower end to enc[0], upper to enc[1]. */
  enclose(z: usize, r: i32): void {
    const n = this.rowLen;
    const src = this.rows + (<usize>(r * n) << 3);
    // Weights then bias: in the flat layout the last layer's W (1 × nPrev) is followed by its b.
    memory.copy(this.net.params + (<usize>this.rowOff << 3), src, <usize>n << 3);
    phiEnclosure(this.net, z, changetype<usize>(this.enc));
  }

  adversarialAt(z: usize): bool {
    for (let c = 0; c < this.nChecks; c++) {
      const p = this.checks + (<usize>(3 * c) << 2);
      const kind = load<i32>(p);
      this.enclose(z, load<i32>(p, 4));
      const lo = unchecked(this.enc[0]);
      const hi = unchecked(this.enc[1]);
      if (kind == CRIT_BINARY) {
        if (hi <= this.label - 0.5 || lo >= this.label + 0.5) return true;
      } else if (kind == CRIT_DIFF) {
        if (hi <= 0) return true;
      } else {
        this.enclose(z, load<i32>(p, 8));
        if (hi <= unchecked(this.enc[0])) return true;
      }
    }
    return false;
  }
}
