// Sound witnesses: an attack's perturbation counts as an upper bound of the robustness radius only
// after the moved point is confirmed adversarial in exact arithmetic. Attacks search in plain f64
// (φ rounded, the label through ⌊fl(m·x_1)⌋), which can accept a point that is not adversarial for
// the exact real-valued network on the f64 weights, or whose label sits on the other side of a
// stripe boundary. Here the witness z = fl(x + η) is checked soundly: φ(z) is enclosed with outward
// rounding (certify/point.ts), the label of z is decided exactly (stripes.ts `labelExact`), and z
// is adversarial when the whole enclosure lies at distance ≥ 1/2 from that label. The bound reported
// is an upper bound of the exact ‖z − x‖. A witness that cannot be confirmed is nudged outward
// (η scaled by 1 + 2^k·u for k = 1, 2, …, the first confirmed scale wins) or, failing that, dropped.

import { Net } from "./net";
import { labelExact } from "./stripes";
import { distanceUpper, phiEnclosure } from "../certify/point";

/** Largest relative nudge tried: 2^-10 (k up to 43 in 1 + 2^k·u). */
const MAX_NUDGE_STEPS = 43;
const U: f64 = 1.1102230246251565e-16;

/** Outcome of `WitnessCheck.confirm`. */
export const WIT_CONFIRMED: i32 = 0;
export const WIT_NUDGED: i32 = 1;
export const WIT_DROPPED: i32 = 2;

/** Sound confirmation of stripes witnesses for one network (scratch sized for its input). */
export class WitnessCheck {
  net: Net;
  m: i32;
  norm: i32;
  d: i32;
  /** The moved point z = fl(x + s·η). */
  z: StaticArray<f64>;
  /** The enclosure of φ(z). */
  enc: StaticArray<f64> = new StaticArray<f64>(2);
  /** Outcome of the last `confirm` (WIT_*). */
  status: i32 = WIT_CONFIRMED;
  /** Sound radius of the last `confirm` (∞ when dropped). */
  radius: f64 = Infinity;

  constructor(net: Net, m: i32, norm: i32) {
    this.net = net;
    this.m = m;
    this.norm = norm;
    this.d = net.d;
    this.z = new StaticArray<f64>(net.d);
  }

  /** Whether the f64 point at `z` is adversarial in exact arithmetic (|φ(z) − f(z)| ≥ 1/2 for the exact φ and f). */
  adversarialAt(z: usize): bool {
    const enc = changetype<usize>(this.enc);
    phiEnclosure(this.net, z, enc);
    const y = <f64>labelExact(load<f64>(z), this.m);
    const lo = load<f64>(enc);
    const hi = load<f64>(enc, 8);
    return hi <= y - 0.5 || lo >= y + 0.5;
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
