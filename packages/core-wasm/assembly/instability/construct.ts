// The two reference networks of SPEC §2: the shortcut σ (F1, accurate and unstable at radius
// exactly μ) and the data-dependent stable network ψ_T (F2, width 2·#label changes in T). Both
// need biases; they are written in the shared flat layout so every attack and certificate treats
// them exactly like a trained network.

import { Stripes, stripeOf } from "./stripes";

/** Parameter count of σ for input dimension d: dims (d, 2, 1) with biases. */
export function shortcutParamCount(d: i32): i32 {
  return 2 * d + 2 + 2 + 1;
}

/** Write σ(x) = ρ(a) − ρ(a − 1), a = (x_2 − 1/2 + μ)/(2μ), into `out` (dims (d, 2, 1), biases). */
export function writeShortcut(d: i32, mu: f64, out: usize): void {
  const n = shortcutParamCount(d);
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), 0.0);
  const s = 1.0 / (2.0 * mu);
  const c = (mu - 0.5) / (2.0 * mu);
  // W_1 (2 × d): both rows read x_2 only.
  store<f64>(out + (<usize>1 << 3), s);
  store<f64>(out + (<usize>(d + 1) << 3), s);
  // b_1
  store<f64>(out + (<usize>(2 * d) << 3), c);
  store<f64>(out + (<usize>(2 * d + 1) << 3), c - 1.0);
  // W_2 = [1, −1], b_2 = 0
  store<f64>(out + (<usize>(2 * d + 2) << 3), 1.0);
  store<f64>(out + (<usize>(2 * d + 3) << 3), -1.0);
}

/**
 * Number of label changes between consecutive observed stripes of the training set (first
 * coordinates at `x` with stride `d`, `r` points). Observed stripes are marked in `seen` (m bytes).
 */
export function labelChanges(s: Stripes, x: usize, r: i32, seen: usize): i32 {
  const m = s.m;
  memory.fill(seen, 0, <usize>m);
  for (let i = 0; i < r; i++) {
    const x1 = load<f64>(x + (<usize>(i * s.d) << 3));
    store<u8>(seen + <usize>stripeOf(x1, m), 1);
  }
  let changes = 0;
  let prev = -1;
  for (let k = 0; k < m; k++) {
    if (load<u8>(seen + <usize>k) == 0) continue;
    if (prev >= 0 && ((k - prev) & 1) == 1) changes++;
    prev = k;
  }
  return changes;
}

/** Hidden width of ψ_T: 2·changes, at least 1 (a dead unit keeps the architecture valid). */
export function stableWidth(changes: i32): i32 {
  return changes > 0 ? 2 * changes : 1;
}

/**
 * Write ψ_T into `out` (dims (d, stableWidth(changes), 1), biases), using the observed-stripe
 * marks left in `seen` by `labelChanges`. Returns the hidden width.
 */
export function writeStable(s: Stripes, seen: usize, changes: i32, out: usize): i32 {
  const d = s.d;
  const m = s.m;
  const H = stableWidth(changes);
  const n = H * d + H + H + 1;
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), 0.0);
  const fm = <f64>m;
  const inv = 1.0 / (2.0 * s.delta);
  const bOff = H * d;
  const w2Off = bOff + H;
  let unit = 0;
  let prev = -1;
  let first = -1;
  for (let k = 0; k < m; k++) {
    if (load<u8>(seen + <usize>k) == 0) continue;
    if (first < 0) first = k;
    if (prev >= 0 && ((k - prev) & 1) == 1) {
      // The ramp sits at the boundary just above the lower stripe: f's first change after `prev`.
      const j = <f64>(prev + 1) / fm;
      const sign: f64 = (k & 1) == 1 ? 1.0 : -1.0;
      store<f64>(out + (<usize>(unit * d) << 3), inv);
      store<f64>(out + (<usize>((unit + 1) * d) << 3), inv);
      store<f64>(out + (<usize>(bOff + unit) << 3), (s.delta - j) * inv);
      store<f64>(out + (<usize>(bOff + unit + 1) << 3), (-s.delta - j) * inv);
      store<f64>(out + (<usize>(w2Off + unit) << 3), sign);
      store<f64>(out + (<usize>(w2Off + unit + 1) << 3), -sign);
      unit += 2;
    }
    prev = k;
  }
  store<f64>(out + (<usize>(w2Off + H) << 3), first >= 0 ? <f64>(first & 1) : 0.0);
  return H;
}
