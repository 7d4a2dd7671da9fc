/**
 * Stopping rules and the batch plan they impose.
 *
 * Determinism: a rule is evaluated only at checkpoints — multiples of `checkEvery` and the cap
 * `maxTrials` — and only on the trials before the checkpoint, in order. Batches never straddle a
 * checkpoint, so the counts at a checkpoint are an exact sum of whole batches. The trial at which a
 * cell stops is therefore the same whatever the batch size, the number of workers or the resume
 * history.
 */
import type { StopRule } from '../spec/types.js';
import { clopperPearson } from './intervals.js';
import { confidenceSequence, sprtDecision, type SprtDecision } from './sequential.js';

/** Why a cell stopped: its rule was satisfied, or it reached its trial cap undecided. */
export type StopReason = 'fixed' | 'ci-halfwidth' | 'sprt' | 'confidence-sequence' | 'max-trials';

/** A proportion the rule watches (k successes out of n). */
export interface Tracked {
  name: string;
  k: number;
  n: number;
}

/** Most trials a cell can run under a rule. */
export function maxTrialsOf(rule: StopRule): number {
  return rule.rule === 'fixed' ? rule.trials : rule.maxTrials;
}

/** The first checkpoint strictly after `t` (the rule's decision points). */
export function nextCheckpoint(rule: StopRule, t: number): number {
  const max = maxTrialsOf(rule);
  if (rule.rule === 'fixed') return max;
  return Math.min(max, (Math.floor(t / rule.checkEvery) + 1) * rule.checkEvery);
}

/** True when `t` is a checkpoint of the rule. */
export function isCheckpoint(rule: StopRule, t: number): boolean {
  if (t === maxTrialsOf(rule)) return true;
  return rule.rule !== 'fixed' && t > 0 && t % rule.checkEvery === 0;
}

/**
 * How a cell's trials are cut into batches: an explicit ramp of first batch sizes (auto-sizing
 * grows it until a batch is long enough to time), then a steady size (null while still ramping).
 */
export interface BatchSizes {
  ramp: number[];
  size: number | null;
}

/** One planned batch: trials `start .. start + count − 1`. */
export interface PlannedBatch {
  start: number;
  count: number;
}

/**
 * The batches of a cell: the ramp sizes in order, then `size` trials at a time, each batch cut
 * short at the next checkpoint. While `size` is null only the ramp is planned. Deterministic from
 * (rule, sizes); the sizes are stored per cell so a resume reuses them.
 */
export function planBatches(rule: StopRule, sizes: BatchSizes): PlannedBatch[] {
  const max = maxTrialsOf(rule);
  const out: PlannedBatch[] = [];
  let t = 0;
  while (t < max) {
    const want = out.length < sizes.ramp.length ? (sizes.ramp[out.length] as number) : sizes.size;
    if (want === null) break;
    const count = Math.min(want, nextCheckpoint(rule, t) - t);
    out.push({ start: t, count });
    t += count;
  }
  return out;
}

/** State carried from checkpoint to checkpoint (SPRT decisions are final once made). */
export interface StopState {
  sprt: Record<string, SprtDecision>;
}

/** A fresh state. */
export function initialStopState(): StopState {
  return { sprt: {} };
}

/** The verdict at a checkpoint. */
export interface StopVerdict {
  stop: boolean;
  reason?: StopReason;
  state: StopState;
}

/** The proportions ordered by p̂(1 − p̂)/n, largest first (ties keep their order). */
function widestFirst(tracked: Tracked[]): Tracked[] {
  const spread = (t: Tracked): number => ((t.k / t.n) * (1 - t.k / t.n)) / t.n;
  return tracked
    .map((t, i) => ({ t, i, s: spread(t) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.t);
}

/**
 * Evaluate a rule at checkpoint `trials` (every tracked count covers exactly trials 0..trials−1).
 * Proportions with n = 0 carry no information yet and are skipped by the width rules (a cell with
 * nothing to estimate stops at its cap).
 */
export function evaluateStop(rule: StopRule, tracked: Tracked[], trials: number, confidence: number, state: StopState): StopVerdict {
  const max = maxTrialsOf(rule);
  const atCap = trials >= max;
  if (rule.rule === 'fixed') return atCap ? { stop: true, reason: 'fixed', state } : { stop: false, state };
  let satisfied = false;
  const next: StopState = { sprt: { ...state.sprt } };
  if (trials >= rule.minTrials) {
    const informative = tracked.filter((t) => t.n > 0);
    switch (rule.rule) {
      case 'ci-halfwidth':
        // Every interval must be narrow enough: an AND without side effects, so the order of the
        // tests cannot change the verdict. Widest-looking first (p̂(1 − p̂)/n largest): while the
        // rule does not hold, that one usually fails and the check costs one interval (two beta
        // quantile inversions) instead of one per proportion until the first wide one.
        satisfied =
          informative.length > 0 &&
          widestFirst(informative).every((t) => {
            const [lo, hi] = clopperPearson(t.k, t.n, confidence);
            return (hi - lo) / 2 <= rule.halfWidth;
          });
        break;
      case 'confidence-sequence':
        satisfied =
          informative.length > 0 &&
          informative.every((t) => {
            const [lo, hi] = confidenceSequence(t.k, t.n, confidence);
            const p = t.k / t.n;
            return Math.max(p - lo, hi - p) <= rule.halfWidth;
          });
        break;
      case 'sprt':
        for (const t of tracked) {
          if ((next.sprt[t.name] ?? 'undecided') !== 'undecided' || t.n === 0) continue;
          next.sprt[t.name] = sprtDecision(t.k, t.n, rule.delta, rule.alpha, rule.beta);
        }
        satisfied = tracked.length > 0 && tracked.every((t) => (next.sprt[t.name] ?? 'undecided') !== 'undecided');
        break;
    }
  }
  if (satisfied) return { stop: true, reason: rule.rule, state: next };
  if (atCap) return { stop: true, reason: 'max-trials', state: next };
  return { stop: false, state: next };
}
