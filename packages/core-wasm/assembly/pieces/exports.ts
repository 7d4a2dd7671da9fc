// Raw exports of the piece-counting area for the TypeScript wrapper (src/pieces.ts).

import { checkDims } from "../nn/mlp";
import { countPiecesSegment, piecesWorkSize } from "./pieces";

/** Work size (f64 elements) of `pieces_count` with room for `cap` breakpoints. */
export function pieces_work_size(dims: usize, L: i32, cap: i32): i32 {
  checkDims(dims, L);
  return piecesWorkSize(dims, L, cap);
}

/** See `countPiecesSegment` (`ambiguousOut`: i32, 1 when a decision could not be certified). */
export function pieces_count(
  dims: usize, L: i32, bias: bool, params: usize, p: usize, q: usize, cap: i32, breaks: usize, intervalsOut: usize, work: usize,
  ambiguousOut: usize,
): i32 {
  checkDims(dims, L);
  return countPiecesSegment(dims, L, bias, params, p, q, cap, breaks, intervalsOut, work, ambiguousOut);
}
