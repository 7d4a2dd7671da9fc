import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../src/suggest.js';

/** Plain Levenshtein by full table, as an independent reference (no transpositions). */
function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

describe('editDistance', () => {
  it('knows some distances', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('run', 'run')).toBe(0);
    expect(editDistance('rn', 'run')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('wokrers', 'workers')).toBe(1); // one adjacent swap
  });

  it('is symmetric, zero only on equal strings, bounded by Levenshtein and by the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = editDistance(a, b);
        expect(d).toBe(editDistance(b, a));
        expect(d === 0).toBe(a === b);
        expect(d).toBeLessThanOrEqual(levenshtein(a, b));
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });

  it('equals Levenshtein when no adjacent swap can help (all characters distinct)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...'abcdefghij'), { maxLength: 6 }), fc.uniqueArray(fc.constantFrom(...'klmnopqrst'), { maxLength: 6 }), (a, b) => {
        expect(editDistance(a.join(''), b.join(''))).toBe(levenshtein(a.join(''), b.join('')));
      }),
    );
  });

  it('counts one adjacent transposition as one edit', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 10 }), fc.nat(), (s, k) => {
        const i = k % (s.length - 1);
        if (s[i] === s[i + 1]) return;
        const t = s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
        expect(editDistance(s, t)).toBe(1);
      }),
    );
  });
});

describe('closest / didYouMean', () => {
  const presets = ['breakdown', 'demo', 'instability', 'noncomputability'];
  it('suggests the intended word for typos and abbreviations', () => {
    expect(closest('demoo', presets)).toBe('demo');
    expect(closest('instabilty', presets)).toBe('instability');
    expect(closest('brekadown', presets)).toBe('breakdown');
    expect(closest('nonc', presets)).toBe('noncomputability');
    expect(closest('--wokers', ['--workers', '--out', '--json'])).toBe('--workers');
  });

  it('stays silent when nothing is close', () => {
    expect(closest('xyz', presets)).toBeUndefined();
    expect(didYouMean('banana', presets)).toBe('');
    expect(didYouMean('', presets)).toBe('');
  });

  it('always returns an exact match itself, and only ever a candidate', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), fc.string({ maxLength: 8 }), (cands, w) => {
        const c = closest(w, cands);
        if (c !== undefined) expect(cands).toContain(c);
        const pick = cands[0]!;
        expect(closest(pick, cands)?.toLowerCase()).toBe(pick.toLowerCase());
      }),
    );
  });
});
