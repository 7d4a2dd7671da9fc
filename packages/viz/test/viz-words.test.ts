/**
 * What the report says in words: captions state a pattern only when the run's own numbers show
 * it, and the cards word the shared headline numbers (@paradox/orchestrator/summary). Fixtures
 * are the behaviour-named summaries of packages/orchestrator/test/fixtures/headline.
 */
import { readFileSync } from 'node:fs';
import type { Summary } from '@paradox/orchestrator';
import { describe, expect, it } from 'vitest';
import { dichotomyChart } from '../src/charts/dichotomy.js';
import { phaseDiagramChart } from '../src/charts/phase-diagram.js';
import { boundaryFinding } from '../src/charts/decision-boundary.js';
import { radiusDistributionsChart } from '../src/charts/radius-distributions.js';
import { successVsEpsilonChart } from '../src/charts/success-vs-epsilon.js';
import { unstableVsStripesChart } from '../src/charts/unstable-vs-stripes.js';
import { headlines } from '../src/report/headline.js';
import { cellParams } from '../src/report/write.js';

const fixture = (name: string): Summary =>
  JSON.parse(readFileSync(new URL(`../../orchestrator/test/fixtures/headline/${name}.json`, import.meta.url), 'utf8')) as Summary;

describe('captions computed from the data (demo-like-instability: train-variable is accurate but unstable)', () => {
  const s = fixture('demo-like-instability');

  it('the dichotomy caption names who reaches the corner, and does not credit every variable-width network', () => {
    const c = dichotomyChart(s).caption;
    expect(c).not.toContain('only variable-width networks reach');
    expect(c).toContain('In the shaded accurate-and-stable corner: construct-stable (variable width), 3 of 3 cells.');
    expect(c).toContain('train-variable (variable width), robust accuracy at most 0.61');
    expect(c).not.toContain('Faded points');
  });

  it('the stripes caption says which series stay near 0, and how high the others reach', () => {
    const c = unstableVsStripesChart(s).caption;
    expect(c).not.toContain('variable-width networks stay near 0');
    expect(c).toContain('In this run construct-stable (variable width) stays at or below 0.05 at every m.');
    expect(c).toContain('train-variable (variable width) 0.39');
  });

  it('the radius caption counts cells instead of asserting where each method sits', () => {
    const c = radiusDistributionsChart(s).caption;
    expect(c).not.toContain('well above it');
    expect(c).toMatch(/In this run, cells whose typical attacked radius is at most μ \/ whose typical certified radius exceeds μ: train \(2-4-1\) 3 \/ 0 of 3;/);
  });

  it('a run where every network reaches the corner is described as such', () => {
    const t = fixture('demo-like-instability');
    for (const c of t.cells) {
      if (c.experiment !== 'instability') continue;
      c.accuracy.val.mean = 0.99;
      for (const r of c.radii) r.robustAttack.mean = 0.95;
    }
    expect(dichotomyChart(t).caption).not.toContain('Outside it');
  });
});

describe('success-vs-epsilon caption', () => {
  it('checks the 1/2 bound in the run instead of asserting it', () => {
    expect(successVsEpsilonChart(fixture('one-cell-breaks-bound')).caption).toContain('In this run 3 intervals of min(p̂⁺, p̂⁻) with the sign hidden lie above 1/2');
    expect(successVsEpsilonChart(fixture('all-cells-above-K')).caption).toContain('No panel of this run hides the sign below ε_B');
    const lift = successVsEpsilonChart(fixture('reads-above-K-lift-barrier')).caption;
    expect(lift).toContain('In this run every interval of min(p̂⁺, p̂⁻) with the sign hidden reaches down to 1/2 or below (largest: exact-read, 0.49).');
    expect(lift).toContain('Reading more than K bits, exact-read reaches 1 below ε_B (readBits = 24, K = 8).');
  });
});

describe('phase-diagram caption', () => {
  it('speaks of missing or unfinished cells only when the run has them, and checks the bound in the data', () => {
    const done = phaseDiagramChart(fixture('reads-above-K-lift-barrier')).caption;
    expect(done).not.toContain('Grey cells');
    expect(done).not.toContain('unfinished');
    expect(done).toContain('In this run every interval of min(p̂⁺, p̂⁻) with the sign hidden reaches down to 1/2 or below');
    expect(phaseDiagramChart(fixture('interrupted-8-trials')).caption).toContain("* marks cells with fewer than 1000 trials (the stopping rule's minimum), which the headline numbers leave out.");
  });
});

describe('report cards', () => {
  it('demo-like-instability: percentages with counts, one card per group with its prediction', () => {
    const cards = headlines(fixture('demo-like-instability'));
    const fixedF3 = cards.find((c) => c.label.startsWith('Trained fixed architecture, m − 1 > P(N)'))!;
    expect(fixedF3.value).toBe('100% (124 of 124)');
    expect(fixedF3.where).toBe('124 of 124 accurate networks were unstable at radius μ; train (2-4-1); 300 networks produced');
    const noF3 = cards.find((c) => c.label.startsWith('Trained fixed architecture, m − 1 ≤ P(N)'))!;
    expect(noF3.theory).toBe('F3 does not apply here: an observation, not a prediction');
    expect(cards.find((c) => c.label.startsWith('Trained variable width'))!.value).toBe('100% (143 of 143)');
    expect(cards.find((c) => c.label.startsWith('Constructed ψ_T'))!.value).toBe('0% (0 of 190)');
    expect(cards.find((c) => c.label === 'Trainings that reached zero training error')!.value).toBe('60% (540 of 900)');
  });

  it('no-hedge: no card speaks of an algorithm the run does not have', () => {
    const cards = headlines(fixture('no-hedge'));
    expect(JSON.stringify(cards)).not.toContain('hedge');
    const jump = cards.find((c) => c.label === 'Best min(p⁺, p⁻) at ε ≥ ε_B, sign still hidden')!;
    expect(jump.theory).toMatch(/^at ε ≥ ε_B one network is close to both minimisers: (gd|coin) jumps above 1\/2 here$/);
  });

  it('the paired-sum card says what is exact and what is an interval', () => {
    const sum = headlines(fixture('reads-above-K-lift-barrier')).find((c) => c.label.startsWith('Largest p̂⁺ + p̂⁻'))!;
    expect(sum.theory).toMatch(/counts obey k⁺ \+ k⁻ ≤ trials exactly, seed by seed \(here \d+ \+ \d+ of 1000\); the interval is for the probabilities and may reach past 1/);
  });

  it('interrupted-8-trials: the 8-trial cell is not quoted, and the cards say a cell was left out', () => {
    const cards = headlines(fixture('interrupted-8-trials'));
    expect(JSON.stringify(cards)).not.toContain('8 trials per sign');
    expect(cards.at(-1)).toEqual({ label: 'Cells left out of these numbers', value: '1', theory: "fewer than 1000 trials, the stopping rule's minimum" });
  });

  it('one-cell-breaks-bound: the card reports the violation', () => {
    const card = headlines(fixture('one-cell-breaks-bound'))[0]!;
    expect(card.value.startsWith('0.950 ')).toBe(true);
    expect(card.theory).toBe('Theorem H: at most 1/2 — VIOLATED: 3 of 9 checked rows have their whole interval above 1/2');
  });
});

describe('decision-boundary words', () => {
  it('names a cell by its parameters, not by its JSON key', () => {
    const cell = fixture('demo-like-instability').cells[0]!;
    const text = cellParams({ ...cell, method: 'train' });
    expect(text).toBe('method train, m 8');
    expect(text).not.toContain('{');
  });

  it('counts the crosses per panel instead of asserting who has none', () => {
    const scene = {
      grid: { n1: 1, n2: 1, extent: { x1: [0, 1] as [number, number], x2: [0, 1] as [number, number] } },
      points: [],
      panels: [
        { title: 'true f', values: [0] },
        { title: 'train 2-4-1', values: [0], adversarial: [{ x1: 0.1, x2: 0.5 }] },
        { title: 'ψ_T, width 6', values: [0], adversarial: [] },
      ],
    };
    expect(boundaryFinding(scene as never)).toBe('Adversarial examples found: 1 against train 2-4-1, none against ψ_T, width 6.');
  });
});
