/**
 * How both experiments address their trials: trial t of a cell draws from the Philox stream
 * (seed; streamLo = t, streamHi = hash32 of the cell's canonical key), so a trial's results depend
 * on (seed, streamHi, t) only — not on how trials are batched or which worker runs them.
 */

/** A contiguous range of trials of one cell: trials `tStart … tStart + count − 1`. */
export interface TrialRange {
  /** Run seed (integer in [0, 2^53)). */
  seed: number;
  /** High word of the trials' stream id: hash32 of the cell's canonical key. */
  streamHi: number;
  /** First trial index (the low word of its stream id). */
  tStart: number;
  /** Number of trials. */
  count: number;
}

/** One trial of a cell. */
export interface TrialKey {
  /** Run seed (integer in [0, 2^53)). */
  seed: number;
  /** High word of the stream id: hash32 of the cell's canonical key. */
  streamHi: number;
  /** Trial index t (the low word of its stream id). */
  trial: number;
}

/**
 * The 64-bit stream id of trial `trial` of the cell with high word `streamHi`, for a `StreamKey`:
 * `{ seed, stream: trialStream(streamHi, t), substream: SUBSTREAM.instability.trainSet }` is the
 * stream a trial's training set is drawn from.
 */
export function trialStream(streamHi: number, trial: number): bigint {
  return (BigInt(streamHi >>> 0) << 32n) | BigInt(trial >>> 0);
}
