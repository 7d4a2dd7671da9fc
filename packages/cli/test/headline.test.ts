/**
 * The headline block's words. The numbers come from @paradox/orchestrator/summary (tested there);
 * these tests feed the behaviour-named fixture summaries and check what a reader sees.
 */
import { readFileSync } from 'node:fs';
import type { Summary } from '@paradox/orchestrator';
import { describe, expect, it } from 'vitest';
import { headline, headlineText, sharePercent } from '../src/headline.js';
import { main } from '../src/main.js';
import { instSummary, ncSummary } from './fixtures/summaries.js';

const fixture = (name: string): Summary =>
  JSON.parse(readFileSync(new URL(`../../orchestrator/test/fixtures/headline/${name}.json`, import.meta.url), 'utf8')) as Summary;
const screen = (s: Summary, out: Parameters<typeof headlineText>[1] = { dir: 'd' }): string => headlineText(headline(s), out).join('\n');

describe('Result II on the screen', () => {
  it('all-cells-above-K: no false alarm; the screen says the theorem bounds nothing and shows exact-read succeeding', () => {
    const text = screen(fixture('all-cells-above-K'));
    expect(text).not.toMatch(/WARNING|VIOLATED|cannot happen|please report/);
    expect(text).not.toContain('no algorithm is reliably');
    expect(text).toContain('No cell hides the sign below ε_B = 0.48 (readBits ≤ K under the adversarial oracle), so Theorem H bounds nothing here.');
    expect(text).toMatch(/\n {4}exact-read {2}1\.000 \[0\.99\d, 1\.000\] {2}at K=8, readBits=16, ε=0\.1 \(1,000 trials per sign\) {2}\(succeeds on both inputs\)/);
  });

  it('reads-above-K-lift-barrier: the largest hidden value per algorithm, and the barrier lifting beyond K', () => {
    const text = screen(fixture('reads-above-K-lift-barrier'), { dir: 'runs/b', report: 'runs/b/report.html' });
    expect(text).toContain('Reads hidden (readBits ≤ K, adversarial oracle), ε < ε_B = 0.48: Theorem H says min(p⁺, p⁻) ≤ 1/2. Largest measured (95% interval):');
    expect(text).toMatch(/\n {4}gd {10}0\.402 \[0\.3\d\d, 0\.4\d\d\] {2}at K=8, readBits=4, ε=0\.45 \(1,000 trials per sign\)\n/);
    expect(text).toContain('Reads above K (readBits ≥ K+1), ε < ε_B: the theorem does not apply. Best measured:');
    expect(text).toMatch(/\n {4}exact-read {2}1\.000 \[0\.99\d, 1\.000\] {2}at K=8, readBits=24/);
    expect(text).toMatch(/At ε ≥ ε_B, reads still hidden: \S+ reaches min\(p⁺, p⁻\) = 1\.000 .*the jump at ε_B\./);
    expect(text).toMatch(/\n {2}Verdict: Where the oracle hides the sign .* as Theorem H predicts\. Reading more than K bits lifts the barrier: exact-read reaches 1\.000/);
    expect(text).toContain('Report: runs/b/report.html');
  });

  it('one-cell-breaks-bound: the cell above 1/2 is reported, not hidden behind a low one', () => {
    const text = screen(fixture('one-cell-breaks-bound'));
    expect(text).toMatch(/\n {4}cheat {2}0\.950 \[0\.9\d\d, 0\.9\d\d\] {2}at K=8, readBits=8, ε=0\.45 \(400 trials per sign\) {2}← 3 rows with the interval above 1\/2\n/);
    expect(text).toContain('Verdict: THEOREM VIOLATED: in 3 of 9 checked rows');
  });

  it('interrupted-8-trials: the 8-trial cell is not an algorithm\'s value, and the screen says it was left out', () => {
    const text = screen(fixture('interrupted-8-trials'));
    expect(text).toContain('INCOMPLETE: 2 of 3 cells finished');
    expect(text).not.toMatch(/readBits=8, ε=\S+ \(8 trials per sign\)/);
    expect(text).toContain('Left out of these numbers: 1 cell with fewer than 1,000 trials (the stopping rule\'s minimum).');
    expect(text).toContain('Resume with: paradox resume d');
  });

  it('no-hedge: nothing is said about an algorithm the run does not have', () => {
    const text = screen(fixture('no-hedge'));
    expect(text).not.toContain('hedge');
    expect(text).toMatch(/At ε ≥ ε_B, reads still hidden: (gd|coin) reaches min\(p⁺, p⁻\) = /);
  });
});

describe('Result I on the screen', () => {
  it('demo-like-instability: one line per group, each "N of M accurate networks were unstable at radius μ", and a verdict', () => {
    const text = screen(fixture('demo-like-instability'));
    expect(text).toContain('Result I, the instability dichotomy (radius μ = 0.004, m = 8…32 stripes):');
    expect(text).toContain(
      '  Trained, fixed architecture, m − 1 > P(N) (F3 predicts all unstable):\n      124 of 124 accurate networks were unstable at radius μ (100%; 95% CI [0.971, 1.000])',
    );
    expect(text).toContain('  Trained, fixed architecture, m − 1 ≤ P(N) (F3 does not apply: observed):\n      137 of 137 accurate networks were unstable at radius μ (100%;');
    expect(text).toContain('  Trained, variable width (no prediction: observed):\n      143 of 143 accurate networks were unstable at radius μ (100%;');
    expect(text).toContain('  Constructed ψ_T (F2 predicts none unstable):\n      0 of 190 accurate networks were unstable at radius μ (0%;');
    // Not pooled: the construction and the trained variable-width networks never share a line.
    expect(text).not.toMatch(/of 333/);
    expect(text).toContain('train (2,8,8,1), P(N) = 81');
    expect(text).toContain('Training reached zero training error in 540 of 900 trainings (60%); 404 were also correct on every validation point.');
    expect(text).toMatch(/\n {2}Verdict: Every one of the 124 accurate fixed-architecture networks with m − 1 > P\(N\) was unstable at radius μ, as F3 predicts\./);
    expect(text).toContain('Terms (μ, P(N), F3, ψ_T, σ, ε_B, min(p⁺, p⁻), the algorithms): paradox explain TERM');
  });

  it('older summaries without trainFit simply leave out the training line', () => {
    const text = screen(instSummary(), { dir: 'runs/i', noReportReason: 'viz not built' });
    expect(text).not.toContain('zero training error');
    expect(text).toContain('Summary: runs/i/summary.json and summary.csv (viz not built)');
    expect(screen(ncSummary())).toContain('Result II, existence without computability:');
  });
});

describe('sharePercent', () => {
  it('never rounds to 100% or 0% unless the counts say so', () => {
    expect(sharePercent(261, 261)).toBe('100%');
    expect(sharePercent(999, 1000)).toBe('99.9%');
    expect(sharePercent(1, 1000)).toBe('0.1%');
    expect(sharePercent(0, 5)).toBe('0%');
    expect(sharePercent(143, 333)).toBe('43%');
    expect(sharePercent(0, 0)).toBe('n/a');
  });
});

describe('paradox explain', () => {
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd: '.', debug: false });
    return { code, out, err };
  };

  it('defines a term by its ASCII spelling and lists them all', async () => {
    const mu = await run(['explain', 'mu']);
    expect(mu.code).toBe(0);
    expect(mu.out).toMatch(/^μ \(also: mu, /);
    expect(mu.out).toContain('unstable at radius μ');
    const all = await run(['explain']);
    for (const name of ['μ', 'P(N)', 'F3', 'ψ_T', 'σ', 'ε_B', 'min(p⁺, p⁻)', 'hedge', 'exact-read', 'escalate']) expect(all.out).toContain(`${name}\n`);
  });

  it('refuses an unknown term with exit 2 and the list', async () => {
    const r = await run(['explain', 'epsb2']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/explain: unknown term "epsb2" \(did you mean 'epsb'\?\); expected one of: accurate; μ;/);
  });
});

describe('the screen after a run of several parts (the demo)', () => {
  it('prints the "Terms … explain TERM" line once, in the words the user ran paradox with', async () => {
    const { printHeadlines } = await import('../src/engine.js');
    let out = '';
    const ctx = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined }, cwd: '/r', debug: false, invocation: 'npx pnpm@9 paradox' };
    const report = { ok: true as const, path: '/r/demo/report.html' };
    const parts = [
      { label: 'demo/instability', dir: '/r/demo/instability', headline: headline(fixture('demo-like-instability')), report },
      { label: 'demo/noncomputability', dir: '/r/demo/noncomputability', headline: headline(ncSummary()), report },
    ];
    printHeadlines(ctx, { exitCode: 0, headlines: parts }, false, '/r/demo');
    expect(out.match(/Terms \(/g)).toHaveLength(1);
    expect(out).toContain('Terms (μ, P(N), F3, ψ_T, σ, ε_B, min(p⁺, p⁻), the algorithms): npx pnpm@9 paradox explain TERM\nSummary: demo/noncomputability/summary.json and summary.csv\n\nReport (all parts): demo/report.html');
    // One part: still there, once.
    out = '';
    printHeadlines(ctx, { exitCode: 0, headlines: parts.slice(0, 1) }, false);
    expect(out.match(/Terms \(/g)).toHaveLength(1);
  });
});

describe('analyse headline', () => {
  const cell = (axes: Record<string, string>, k: number, n: number, witnessed: number) => {
    const m = (median: number, count: number) => ({ n: count, mean: median, sd: 0, min: median, q25: median, median, q75: median, max: median });
    const prop = (kk: number, nn: number) => ({ k: kk, n: nn, p: kk / nn, cp: [0.5, 1] as [number, number], wilson: [0.5, 1] as [number, number], hoeffding: [0.5, 1] as [number, number] });
    return {
      experiment: 'analyse' as const, cellKey: JSON.stringify(axes), axes, params: axes, complete: true, network: '/n/net.onnx', data: '/d/x.npy', norm: 'linf',
      trials: n, accuracy: prop(k, n), radii: [], certified: m(0.01, k), attacked: m(0.05, witnessed), gap: m(0.04, witnessed),
      witnessChecks: { nudged: 1, dropped: 0 }, certContradictions: 0, score: m(1, n),
    };
  };
  const summary = (cells: ReturnType<typeof cell>[]): Summary => ({
    format: 'paradox-summary/1',
    run: { name: 'an', experiment: 'analyse', specHash: 'x', seed: 0, confidence: 0.95, complete: true, cellsTotal: cells.length, cellsComplete: cells.length, trialsDone: 0 },
    cells,
  });

  it('one line per cell from its numbers; unbroken points only when there are some; no theorem terms line', () => {
    const text = screen(summary([cell({ norm: 'linf' }, 9, 10, 9), cell({ data: '/d/other.csv' }, 8, 10, 5)]));
    expect(text).toContain('  norm linf: accuracy 0.9');
    expect(text).toContain('radius medians over correct points: certified 0.01, attacked 0.05, gap 0.04; witnesses: 1 nudged, 0 dropped in exact arithmetic.');
    expect(text).toContain('  data other.csv: accuracy 0.8');
    expect(text).toContain('; 3 correct points without a witness;');
    expect(text.split('\n').filter((l) => l.includes('without a witness'))).toHaveLength(1);
    expect(text).not.toContain('Terms (');
  });
});
