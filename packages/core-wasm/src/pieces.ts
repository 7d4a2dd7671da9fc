/**
 * Exact number of linear pieces of a network along a segment (SPEC §1): the segment is propagated
 * layer by layer and split at every ReLU kink; neighbouring intervals on which φ has the same
 * slope are merged. Never more than `pieceBound(dims)` = P(N). The WASM kernel certifies its
 * decisions with rigorous rounding-error bounds; when one cannot be certified (slopes within
 * rounding of each other, a point within rounding of a kink) the count is redone in exact rational
 * arithmetic (`countPiecesExact`), so the result is the true count for the f64 weights.
 */
import type { Core } from './core.js';
import { CoreError } from './errors.js';
import { finiteArray, finiteResult, netIn } from './internal/args.js';
import { LIMITS, pieceBound, validateNetwork, type Network } from './network.js';
import { countPiecesExact } from './pieces-exact.js';

/** Result of `countPieces`. */
export interface PiecesResult {
  /** Number of maximal intervals of [0, 1] on which t ↦ φ(p + t(q − p)) is affine. */
  pieces: number;
  /** Number of intervals between activation-pattern changes (≥ pieces: some kinks are invisible in φ). */
  intervals: number;
  /** Interior breakpoints t ∈ (0, 1) between the pieces, increasing (pieces − 1 values). */
  breakpoints: Float64Array;
  /**
   * How the count was decided: `certified` (floating point, every decision certified by error
   * bounds) or `rational` (recounted in exact arithmetic because some decision was not).
   */
  decidedBy: 'certified' | 'rational';
}

/** Count the linear pieces of `net` restricted to the segment from `p` to `q` (N_0 values each). */
export function countPieces(core: Core, net: Network, p: ArrayLike<number>, q: ArrayLike<number>): PiecesResult {
  validateNetwork(net);
  const d = net.dims[0]!;
  const P = finiteArray(p, 'p', d);
  const Q = finiteArray(q, 'q', d);
  const bound = pieceBound(net.dims);
  const maxW = Math.max(...net.dims);
  // Breakpoint capacity: start small and double on overflow, never beyond what P(N) allows or
  // what the work-buffer limit can hold.
  const hardCap = Math.floor((LIMITS.maxWorkValues - 8 * maxW) / (2 * maxW + 2));
  let cap = Math.min(bound + 1, 1024, hardCap);
  for (;;) {
    const r = core.raw.scoped((s) => {
      const { dims, params, L, bias } = netIn(s, net);
      const ws = core.raw.fn<(...a: number[]) => number>('pieces_work_size')(dims, L, cap);
      const breaks = s.alloc(cap * 8);
      const intervals = s.alloc(4);
      const ambiguous = s.alloc(4);
      const k = core.raw.fn<(...a: number[]) => number>('pieces_count')(
        dims, L, bias, params, s.f64(P), s.f64(Q), cap, breaks, intervals, s.alloc(ws * 8), ambiguous,
      );
      if (k < 0) return undefined;
      if (s.readI32(ambiguous, 1)[0] !== 0) return 'ambiguous' as const;
      return {
        pieces: k,
        intervals: s.readI32(intervals, 1)[0]!,
        breakpoints: finiteResult(s.readF64(breaks, k - 1), 'countPieces: breakpoint'),
        decidedBy: 'certified' as const,
      };
    });
    if (r === 'ambiguous') return { ...countPiecesExact(net, P, Q), decidedBy: 'rational' };
    if (r) return r;
    if (cap >= Math.min(bound + 1, hardCap)) {
      throw new CoreError('E_RANGE', `countPieces: more than ${cap} breakpoints along the segment exceed the work-buffer limit of ${LIMITS.maxWorkValues} values`);
    }
    cap = Math.min(cap * 2, bound + 1, hardCap);
  }
}

export { pieceBound };
