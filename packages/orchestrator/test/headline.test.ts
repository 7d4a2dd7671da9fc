/**
 * The headline numbers (summary/headline.ts): each fixture in fixtures/headline is named for the
 * behaviour it pins down; the property at the end checks the Result II bound check on random
 * summaries.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headlineOf, readsHidden } from '../src/summary/headline.js';
import { findTerm, TERMS } from '../src/summary/terms.js';
import { minInterval, sumInterval } from '../src/stats/intervals.js';
import { proportion } from '../src/summary/build.js';
import type { NoncomputabilityCell, Summary } from '../src/summary/types.js';

const fixture = (name: string): Summary => JSON.parse(readFileSync(new URL(`./fixtures/headline/${name}.json`, import.meta.url), 'utf8')) as Summary;

describe('Result II', () => {
  it('all-cells-above-K: no false alarm, and the theorem is said not to apply', () => {
    const h = headlineOf(fixture('all-cells-above-K')).noncomputability!;
    expect(h.checked).toBe(0);
    expect(h.violations).toBe(0);
    expect(h.hidden).toBeUndefined();
    expect(h.verdict).toMatch(/^No cell hides the sign below ε_B/);
    expect(h.verdict).not.toMatch(/VIOLATED|cannot happen/);
    // The barrier lifting is shown: exact-read succeeds on both inputs where it reads 16 or 24 bits.
    expect(h.revealed).toMatchObject({ algorithm: 'exact-read', p: 1, K: 8 });
    expect(h.revealed!.ci[0]).toBeGreaterThan(0.99);
  });

  it('reads-above-K-lift-barrier: the largest hidden min(p⁺, p⁻) per algorithm, and the best beyond K', () => {
    const h = headlineOf(fixture('reads-above-K-lift-barrier')).noncomputability!;
    const by = Object.fromEntries(h.algorithms.map((a) => [a.algorithm, a]));
    // gd: the largest hidden row is readBits 4 at ε = 0.45 (402 of 1,000 on ι⁻), not its lowest cell.
    expect(by.gd!.hidden).toMatchObject({ readBits: 4, eps: 0.45, p: 0.402 });
    expect(by.gd!.revealed).toMatchObject({ readBits: 24, p: 0.06 });
    expect(by['exact-read']!.hidden).toMatchObject({ readBits: 4, eps: 0.45, p: 0.49 });
    expect(by['exact-read']!.revealed).toMatchObject({ readBits: 24, p: 1 });
    expect(by.hedge!.revealed).toBeUndefined();
    // 4 hidden cells (readBits ≤ 8 = K) × 3 ε below ε_B.
    expect(h.checked).toBe(12);
    expect(h.violations).toBe(0);
    expect(h.hidden).toMatchObject({ algorithm: 'exact-read', p: 0.49 });
    expect(h.verdict).toContain('as Theorem H predicts');
    expect(h.verdict).toContain('Reading more than K bits lifts the barrier: exact-read reaches 1.000');
    // At ε ≥ ε_B, with the same hidden reads, min(p⁺, p⁻) jumps to 1.
    expect(h.above).toMatchObject({ eps: 0.5, p: 1 });
    expect(h.verdict).toContain('the jump at ε_B');
  });

  it('one-cell-breaks-bound: a low cell does not hide a cell whose interval lies above 1/2', () => {
    const h = headlineOf(fixture('one-cell-breaks-bound')).noncomputability!;
    const cheat = h.algorithms.find((a) => a.algorithm === 'cheat')!;
    expect(cheat.hidden).toMatchObject({ readBits: 8, eps: 0.45, p: 0.95 });
    expect(cheat.violations.map((v) => v.eps)).toEqual([0.1, 0.25, 0.45]);
    expect(h.violations).toBe(3);
    expect(h.algorithms.find((a) => a.algorithm === 'coin')!.violations).toEqual([]);
    expect(h.verdict).toMatch(/^THEOREM VIOLATED: in 3 of 9 checked rows/);
  });

  it('plugin NaN outputs: counted over the plugin cells and said in the verdict; nothing said when there are none or no plugin', () => {
    const base = fixture('reads-above-K-lift-barrier');
    const cells = base.cells as NoncomputabilityCell[];
    const withNaN = (runs: number[]): Summary => ({
      ...base,
      cells: cells.map((c, i) => (i < runs.length ? { ...c, algorithm: 'plugin', pluginNaN: { runs: runs[i]!, of: 2 * c.trials } } : c)),
    });
    const h = headlineOf(withNaN([0, 7, 3])).noncomputability!;
    const of = 2 * (cells[0]!.trials + cells[1]!.trials + cells[2]!.trials);
    expect(h.pluginNaN).toEqual({ runs: 10, of, cells: 2 });
    expect(h.verdict).toContain(`The plugin returned NaN weights in 10 of ${of} runs (`);
    expect(h.verdict).toContain('in 2 cells); those runs count as diverged (no success at any ε): check the plugin.');
    const none = headlineOf(withNaN([0, 0])).noncomputability!;
    expect(none.pluginNaN).toEqual({ runs: 0, of: 2 * (cells[0]!.trials + cells[1]!.trials), cells: 0 });
    expect(none.verdict).not.toContain('NaN');
    const noPlugin = headlineOf(base).noncomputability!;
    expect(noPlugin.pluginNaN).toBeUndefined();
    expect(noPlugin.verdict).not.toContain('NaN');
  });

  it('interrupted-8-trials: a cell below the minimum trials is left out and counted', () => {
    const s = fixture('interrupted-8-trials');
    const h = headlineOf(s);
    expect(h.excluded).toEqual({ cells: 1, minTrials: 1000 });
    const gd = h.noncomputability!.algorithms.find((a) => a.algorithm === 'gd')!;
    expect(gd.cells).toBe(1);
    expect(gd.hidden).toMatchObject({ readBits: 4, trials: 1000 });
    // Without run.minTrials (an older summary), every unfinished cell is left out.
    delete s.run.minTrials;
    expect(headlineOf(s).excluded).toEqual({ cells: 1, minTrials: null });
    // Under an adaptive rule an unfinished cell past the minimum counts.
    s.run.minTrials = 8;
    expect(headlineOf(s).excluded.cells).toBe(0);
  });

  it('honest oracles and reads above K are not where the theorem applies', () => {
    const c = fixture('no-hedge').cells[0] as NoncomputabilityCell;
    expect(readsHidden(c)).toBe(true);
    expect(readsHidden({ ...c, params: { ...c.params, oracle: 'honest' } })).toBe(false);
    // A budget above K with every read at n ≤ K (an adaptive algorithm that stopped early) is hidden.
    expect(readsHidden({ ...c, readBits: 9, bitsRead: { ...c.bitsRead, max: 8 } })).toBe(true);
    expect(readsHidden({ ...c, readBits: 9, bitsRead: { ...c.bitsRead, max: 9 } })).toBe(false);
  });
});

describe('Result I', () => {
  it('demo-like-instability: separate groups, each with what theory predicts for it', () => {
    const r = headlineOf(fixture('demo-like-instability')).instability!;
    const g = Object.fromEntries(r.groups.map((x) => [x.kind, x]));
    expect(r.groups.map((x) => x.kind)).toEqual(['fixed-f3', 'fixed-no-f3', 'variable-trained', 'construct-stable']);
    // (2,4,1): P(N) = 5 < m − 1 for m = 8, 16, 32.
    expect(g['fixed-f3']).toMatchObject({ prediction: 'unstable', archs: [[2, 4, 1]], unstable: { k: 124, n: 124, trials: 300 } });
    // (2,8,8,1): P(N) = 81 ≥ m − 1: observed, not predicted.
    expect(g['fixed-no-f3']).toMatchObject({ prediction: 'none', archs: [[2, 8, 8, 1]], unstable: { k: 137, n: 137 } });
    // Trained variable width is not pooled with the construction ψ_T.
    expect(g['variable-trained']).toMatchObject({ prediction: 'none', unstable: { k: 143, n: 143 } });
    expect(g['construct-stable']).toMatchObject({ prediction: 'stable', unstable: { k: 0, n: 190 } });
    expect(r.methods.find((m) => m.arch?.join(',') === '2,8,8,1')!.pieceBound).toBe(81);
    // Zero training error: trained methods only (not the construction).
    expect(r.training).toEqual({ zeroError: 150 + 180 + 210, trainings: 900, accurate: 124 + 137 + 143 });
    expect(r.f3).toEqual({ applies: 113, holds: 113 });
    expect(r.diverged).toBe(0);
    expect(r.verdict).toContain('Every one of the 124 accurate fixed-architecture networks with m − 1 > P(N) was unstable at radius μ, as F3 predicts.');
    expect(r.verdict).toContain('ψ_T was accurate and stable in all 190 accurate cases');
    expect(r.verdict).toContain('143 of 143 accurate ones were unstable — training did not find the stable network that exists');
  });

  it('says when F3 has nothing to predict, and when a prediction fails', () => {
    const s = fixture('demo-like-instability');
    s.cells = s.cells.filter((c) => c.experiment === 'instability' && c.arch?.length === 4);
    expect(headlineOf(s).instability!.verdict).toMatch(/^No fixed architecture here has m − 1 > P\(N\)/);
    // Fixed networks that never fit T are optimiser failures, not the theorem's inaccurate horn.
    const u = fixture('demo-like-instability');
    u.cells = u.cells.filter((c) => c.experiment === 'instability' && c.arch?.length === 3);
    for (const c of u.cells) {
      if (c.experiment !== 'instability') continue;
      c.accurate = proportion(0, c.trials, 0.95);
      c.accurateUnstable = proportion(0, 0, 0.95);
      c.trainFit = proportion(0, c.trials, 0.95);
    }
    expect(headlineOf(u).instability!.verdict).toBe(
      'No fixed-architecture training with m − 1 > P(N) produced an accurate network (0 of 300 trainings reached zero training error: the optimiser failed, which is not the theorem’s inaccurate horn), so F3 had nothing to predict.',
    );
    const t = fixture('demo-like-instability');
    const psi = t.cells.find((c) => c.experiment === 'instability' && c.method === 'construct-stable')!;
    if (psi.experiment === 'instability') psi.accurateUnstable = proportion(3, psi.accurateUnstable.n, 0.95);
    expect(headlineOf(t).instability!.verdict).toContain('ψ_T was unstable in 3 of 190 accurate cases, although F2 predicts none');
  });
});

describe('terms', () => {
  it('defines every term the headline uses, findable by ASCII spellings', () => {
    for (const q of ['mu', 'P(N)', 'f3', 'psi', 'sigma', 'eps_b', 'min(p+,p-)', 'hedge', 'exact-read', 'escalate', 'coin', 'gd']) {
      expect(findTerm(q), q).toBeDefined();
    }
    expect(findTerm('nonsense')).toBeUndefined();
    expect(new Set(TERMS.map((t) => t.id)).size).toBe(TERMS.length);
  });
});

/** A random noncomputability cell with real intervals. */
const cellArb = fc
  .record({
    K: fc.integer({ min: 2, max: 20 }),
    readBits: fc.integer({ min: 1, max: 30 }),
    oracle: fc.constantFrom('adversarial', 'honest'),
    trials: fc.integer({ min: 1, max: 300 }),
    fracs: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 3, maxLength: 3 }),
    complete: fc.boolean(),
  })
  .map(({ K, readBits, oracle, trials, fracs, complete }): NoncomputabilityCell => {
    const epsilons = [0.1, 0.3, 0.5];
    return {
      experiment: 'noncomputability',
      cellKey: `c${K}-${readBits}-${oracle}`,
      axes: {},
      params: { oracle },
      complete,
      algorithm: readBits % 2 ? 'a' : 'b',
      K,
      readBits,
      sStar: 0.8,
      epsB: 0.4,
      trials,
      eps: epsilons.map((eps, i) => {
        const kp = Math.round(fracs[i]![0] * trials);
        const km = Math.round(fracs[i]![1] * trials);
        return {
          eps,
          belowBreakdown: eps < 0.4,
          plus: proportion(kp, trials, 0.95),
          minus: proportion(km, trials, 0.95),
          min: { p: Math.min(kp, km) / trials, ci: minInterval(kp, trials, km, trials, 0.95) },
          sum: { p: (kp + km) / trials, ci: sumInterval(kp, trials, km, trials, 0.95) },
        };
      }),
      dist: { plus: { n: 0, mean: 0, sd: 0, min: 0, q25: 0, median: 0, q75: 0, max: 0 }, minus: { n: 0, mean: 0, sd: 0, min: 0, q25: 0, median: 0, q75: 0, max: 0 } },
      bitsRead: { n: 2 * trials, mean: readBits, sd: 0, min: readBits, q25: readBits, median: readBits, q75: readBits, max: readBits },
      cost: { n: 0, mean: 0, sd: 0, min: 0, q25: 0, median: 0, q75: 0, max: 0 },
    };
  });

describe('Result II bound check (property)', () => {
  it('reports a violation iff some applicable cell has an interval above 1/2', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 300 }), (cells, minTrials) => {
        const s: Summary = {
          format: 'paradox-summary/1',
          run: { name: 'p', experiment: 'noncomputability', specHash: '', seed: 0, confidence: 0.95, complete: false, cellsTotal: cells.length, cellsComplete: 0, trialsDone: 0, minTrials },
          cells,
        };
        const counted = cells.filter((c) => c.complete || c.trials >= minTrials);
        const applicable = counted.filter((c) => c.params.oracle === 'adversarial' && c.readBits <= c.K);
        const expected = applicable.some((c) => c.eps.some((r) => r.belowBreakdown && r.min.ci[0] > 0.5));
        const h = headlineOf(s).noncomputability!;
        expect(h.violations > 0).toBe(expected);
        expect(h.verdict.startsWith('THEOREM VIOLATED')).toBe(expected);
        expect(headlineOf(s).excluded.cells).toBe(cells.length - counted.length);
      }),
      { numRuns: 300 },
    );
  });
});
