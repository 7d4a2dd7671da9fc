// Piece counting for the trial's F3 check: the exact number of linear pieces of φ along the
// mid-line x_1 ∈ [0, 1], x_2 = … = x_d = 1/2 (shared segment kernel of assembly/pieces), with a
// buffer-free walk along e_1 as the fallback (also exported to the wrapper as `inst_pieces_e1`).

import { Net, pieceBound } from "./net";
import { countPiecesSegment, piecesWorkSize } from "../pieces/pieces";

/** Exact number of linear pieces of φ along the segment x(t) = a + t·e_1, t ∈ [0, len]. */
export function piecesAlongE1(net: Net, a: usize, len: f64): i32 {
  const d = net.d;
  const x = new StaticArray<f64>(d);
  const dir = new StaticArray<f64>(d);
  for (let j = 0; j < d; j++) unchecked((x[j] = load<f64>(a + (<usize>j << 3))));
  unchecked((dir[0] = 1.0));
  const x0 = unchecked(x[0]);
  let t = 0.0;
  let pieces = 1;
  let prevSlope = NaN;
  for (let it = 0; it < 1000000; it++) {
    unchecked((x[0] = x0 + t));
    net.forwardDir(changetype<usize>(x), changetype<usize>(dir));
    const slope = net.lastDerivative;
    // Kinks where the slope of φ does not change (a unit switching with no effect downstream)
    // do not split a linear piece.
    if (it > 0 && slope != prevSlope) pieces++;
    prevSlope = slope;
    // At a kink the switching unit may sit a rounding error short of 0, so the step to it can be
    // absorbed by t; advance at least one ulp so the walk always progresses.
    let tn = t + net.nextKink();
    if (!(tn > t)) tn = t + Math.max(Math.abs(t), 1e-300) * 2.220446049250313e-16;
    t = tn;
    if (!(t < len)) break;
  }
  return pieces;
}

/**
 * Exact linear pieces of φ along the mid-line x_1 ∈ [0, 1], x_2 = … = x_d = 1/2, by the shared
 * segment kernel (assembly/pieces). Its breakpoint buffer is capped so memory stays small; when a
 * network needs more breakpoints than that, the ray walk of `piecesAlongE1` (no buffer) counts.
 */
export function midlinePieces(net: Net, mid: StaticArray<f64>): i32 {
  const d = net.d;
  for (let j = 0; j < d; j++) unchecked((mid[j] = 0.5));
  unchecked((mid[0] = 0.0));
  const q = new StaticArray<f64>(d);
  for (let j = 0; j < d; j++) unchecked((q[j] = 0.5));
  unchecked((q[0] = 1.0));
  const dims = changetype<usize>(net.dims);
  const cap = <i32>Math.min(pieceBound(net) + 2.0, 4096.0);
  const work = heap.alloc(<usize>piecesWorkSize(dims, net.L, cap) << 3);
  const intervals = new StaticArray<i32>(1);
  const n = countPiecesSegment(
    dims, net.L, net.bias, net.params, changetype<usize>(mid), changetype<usize>(q), cap, 0, changetype<usize>(intervals), work,
  );
  heap.free(work);
  return n >= 1 ? n : piecesAlongE1(net, changetype<usize>(mid), 1.0);
}
