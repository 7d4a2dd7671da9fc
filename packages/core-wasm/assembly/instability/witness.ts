// Sound witnesses: an attack's perturbation counts as an upper bound of the robustness radius only
// after the moved point is confirmed adversarial in exact arithmetic. Attacks search in plain f64
// (φ rounded, the label through ⌊fl(m·x_1)⌋), which can accept a point that is not adversarial for
// the exact real-valued network on the f64 weights, or whose label sits on the other side of a
// stripe boundary. Here the witness z = fl(x + η) is checked soundly: φ(z) is enclosed with outward
// rounding (certify/point.ts), the label of z is decided exactly (stripes.ts `labelExact`), and z
// is adversarial when the whole enclosure lies at distance ≥ 1/2 from that label. The bound reported
// is an upper bound of the exact ‖z − x‖. A witness that cannot be confirmed is nudged outward
// (η scaled by 1 + 2^k·u for k = 1, 2, …, the first confirmed scale wins) or, failing that, dropped:
// that loop is certify/witness.ts `SoundWitness`, shared with `analyse`'s data criteria.

import { Net } from "./net";
import { labelExact } from "./stripes";
import { phiEnclosure } from "../certify/point";
import { SoundWitness } from "../certify/witness";

export { WIT_CONFIRMED, WIT_NUDGED, WIT_DROPPED } from "../certify/witness";

/** Sound confirmation of stripes witnesses for one network (scratch sized for its input); the nudge loop is `SoundWitness.confirm`. */
export class WitnessCheck extends SoundWitness {
  net: Net;
  m: i32;
  /** The enclosure of φ(z). */
  enc: StaticArray<f64> = new StaticArray<f64>(2);

  constructor(net: Net, m: i32, norm: i32) {
    super(net.d, norm);
    this.net = net;
    this.m = m;
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
}
