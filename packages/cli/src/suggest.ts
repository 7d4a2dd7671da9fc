/**
 * "Did you mean …?" for commands, presets, flags and spec keys: the closest known word by
 * optimal-string-alignment distance (Levenshtein plus adjacent transpositions, the commonest typo).
 */

/** Edit distance between `a` and `b` counting insertions, deletions, substitutions and adjacent swaps as 1. */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  // Three rolling rows: the transposition step looks two rows back.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, prev2[j - 2]! + 1);
      cur[j] = best;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/**
 * The candidate closest to `word` (case-insensitive), or undefined when none is close enough to be
 * a plausible typo: at most a third of the longer word's length, and at most 3 edits. A candidate
 * that starts with `word` (an abbreviation, `nonc` → `noncomputability`) also counts.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  if (w.length === 0) return undefined;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    if (lc === w) return c;
    const d = editDistance(w, lc);
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(w.length, lc.length) / 3)));
    // Prefixes of at least 3 letters are accepted as abbreviations, ranked after true typos.
    const score = d <= limit ? d : w.length >= 3 && lc.startsWith(w) ? 10 + lc.length - w.length : Infinity;
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

/** ` (did you mean 'x'?)` when a close candidate exists, else the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>, render: (c: string) => string = (c) => `'${c}'`): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean ${render(c)}?)`;
}
