import { describe, expect, it } from 'vitest';
import { clopperPearson, headline, headlineText } from '../src/headline.js';
import { EPS, instCell, instSummary, ncCell, ncSummary } from './fixtures/summaries.js';

describe('clopperPearson', () => {
  it('matches known exact intervals', () => {
    // Reference values (R: binom.test(k, n)$conf.int).
    const [lo, hi] = clopperPearson(5, 20, 0.95);
    expect(lo).toBeCloseTo(0.0865715, 6);
    expect(hi).toBeCloseTo(0.4910459, 6);
    expect(clopperPearson(0, 10, 0.95)).toEqual([0, expect.closeTo(0.3084971, 6)]);
    expect(clopperPearson(10, 10, 0.95)).toEqual([expect.closeTo(0.6915029, 6), 1]);
    expect(clopperPearson(0, 0, 0.95)).toEqual([0, 1]);
  });
});

describe('headline (noncomputability)', () => {
  it('takes each algorithm\'s worst cell at the largest ε below ε_B', () => {
    const h = headline(ncSummary());
    const algs = h.noncomputability!.algorithms;
    expect(algs.map((a) => a.algorithm)).toEqual(['gd', 'coin']);
    const gd = algs[0]!;
    // ε = 0.44 is the largest below ε_B = 0.45; the worst gd cell there is readBits = 8 (0 and 2 of 200).
    expect(gd).toMatchObject({ eps: 0.44, K: 8, readBits: 8, p: 0, trials: 200, cells: 2 });
    expect(gd.ci[0]).toBe(0);
    const coin = algs[1]!;
    expect(coin).toMatchObject({ eps: 0.44, readBits: 8, p: 99 / 200 });
    expect(h.noncomputability!.consistent).toBe(true);
  });

  it('words the result with numbers and intervals', () => {
    const text = headlineText(headline(ncSummary()), { dir: 'runs/b', report: 'runs/b/report.html' }).join('\n');
    expect(text).toContain('Result II, existence without computability:');
    expect(text).toContain('Below the breakdown epsilon ε_B = 0.45');
    expect(text).toMatch(/gd {4}0\.000 \[0\.000, 0\.0\d\d\] {2}worst at K=8, readBits=8, ε=0\.44 \(200 trials per sign\)/);
    expect(text).toMatch(/coin {2}0\.495 \[0\.\d{3}, 0\.\d{3}\]/);
    expect(text).toContain('Every algorithm stays at or below 1/2 within its interval');
    // Above ε_B (0.46 is the smallest ε ≥ 0.45) gd succeeds on both inputs of every pair in the fixture.
    expect(text).toMatch(/At ε ≥ ε_B the barrier is gone: gd reaches min\(p⁺, p⁻\) = 1\.000 \[0\.98\d, 1\.000\] on its worst pair \(ε=0\.46\)\./);
    expect(text).toContain('Report: runs/b/report.html');
  });

  it('flags a result that contradicts the theorem instead of hiding it', () => {
    const s = ncSummary();
    s.cells = [ncCell('cheat', 8, 8, 400, EPS, [400, 400, 400, 400, 400], [380, 380, 380, 380, 380])];
    const h = headline(s);
    expect(h.noncomputability!.consistent).toBe(false);
    expect(headlineText(h, { dir: 'd' }).join('\n')).toContain('WARNING: some algorithm exceeds 1/2');
  });

  it('says so when no ε lies below ε_B', () => {
    const s = ncSummary();
    s.cells = [ncCell('hedge', 8, 8, 10, [0.5, 0.6], [10, 10], [10, 10])];
    const text = headlineText(headline(s), { dir: 'd' }).join('\n');
    expect(text).toContain('nothing to report below it');
  });
});

describe('headline (instability)', () => {
  it('pools accurate fixed-architecture networks against variable-width ones, leaving the shortcut out of the pool', () => {
    const sum = instSummary();
    sum.cells.push(instCell('shortcut', [2, 2, 1], 16, [50, 50], [50, 50]));
    const h = headline(sum);
    const s = h.instability!;
    expect(s.fixed).toMatchObject({ k: 68, n: 70, trials: 100 });
    expect(s.variable).toMatchObject({ k: 1, n: 95, trials: 100 });
    expect(s.fixed.ci[0]).toBeLessThan(68 / 70);
    expect(s.fixed.ci[1]).toBeGreaterThan(68 / 70);
    expect(s.m).toEqual([16, 32]);
    expect(s.methods.map((m) => m.method)).toEqual(['train', 'construct-stable', 'train-variable', 'shortcut']);
    expect(s.f3).toEqual({ applies: 40 + 30 + 50 + 45 + 50, holds: 40 + 30 + 50 + 45 + 50 });
    expect(headlineText(h, { dir: 'd' }).join('\n')).toMatch(/shortcut σ \(2,2,1\), reference +50\/50 accurate, 100% of them unstable/);
  });

  it('words the dichotomy and points at the summary when there is no report', () => {
    const text = headlineText(headline(instSummary()), { dir: 'runs/i', noReportReason: 'viz not built' }).join('\n');
    expect(text).toContain('Result I, the instability dichotomy:');
    expect(text).toContain('unstable at radius μ = 0.01, m = 16…32 stripes');
    expect(text).toMatch(/fixed architecture, trained: 97% \(68 of 70 accurate; 95% CI \[0\.\d{3}, 0\.\d{3}\]\)/);
    expect(text).toMatch(/variable width: {14}1% \(1 of 95 accurate; 95% CI \[0\.000, 0\.\d{3}\]\)/);
    expect(text).toContain('train (2,4,1)');
    expect(text).toContain('construct-stable (variable width)');
    expect(text).toContain('Summary: runs/i/summary.json and summary.csv (viz not built)');
  });

  it('marks an incomplete run and says how to resume it', () => {
    const s = instSummary();
    s.run.complete = false;
    s.run.cellsComplete = 3;
    const text = headlineText(headline(s), { dir: 'runs/i' }).join('\n');
    expect(text).toContain('INCOMPLETE: 3 of 4 cells finished');
    expect(text).toContain('Resume with: paradox resume runs/i');
  });
});
