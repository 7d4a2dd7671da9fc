/**
 * Stopping rules (implementation follows in this file).
 */

/** Why a cell stopped: its rule was satisfied, or it reached its trial cap undecided. */
export type StopReason = 'fixed' | 'ci-halfwidth' | 'sprt' | 'confidence-sequence' | 'max-trials';
