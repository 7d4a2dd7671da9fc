/**
 * The report's headline cards: the numbers of `headlineOf` (@paradox/orchestrator/summary — the
 * one definition the CLI screen, `--json` and summary.json share), worded for the page. Each card
 * says what theory predicts for its number; a card about an algorithm or method appears only when
 * the run has it, because every name on a card comes from the data.
 */
import { findTerm, headlineOf, sharePercent, type HeadlineData, type InstabilityGroup, type PairPoint, type UnstableShare } from '@paradox/orchestrator/summary';
import type { Summary } from '../charts/types.js';
import { groupDigits } from './html.js';

/** One headline card. */
export interface Headline {
  label: string;
  /** The figure as text (e.g. `0.49 [0.42, 0.56]`, `100% (124 of 124)`). */
  value: string;
  /** What theory says about it. */
  theory: string;
  /** Where it comes from (algorithm, cell, ε), when it is one cell's number. */
  where?: string;
  /** Ids of the terms (report "Terms" block, `paradox explain`) the card uses. */
  terms?: string[];
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : '—';
}

function interval(p: { p: number; ci: [number, number] }): string {
  return `${fmt(p.p)} [${fmt(p.ci[0])}, ${fmt(p.ci[1])}]`;
}

function where(p: PairPoint & { algorithm: string }): string {
  return `${p.algorithm}; K = ${p.K}, readBits = ${p.readBits}, ε = ${p.eps}; ${groupDigits(p.trials)} trials per sign`;
}

function shareValue(s: UnstableShare): string {
  return s.n === 0 ? 'no accurate networks' : `${sharePercent(s.k, s.n)} (${s.k} of ${s.n})`;
}

const GROUP: Record<InstabilityGroup['kind'], { label: string; theory: string; terms: string[] }> = {
  'fixed-f3': {
    label: 'Trained fixed architecture, m − 1 > P(N): accurate networks unstable at radius μ',
    theory: 'F3 predicts all of them (every one whose data cover every stripe)',
    terms: ['f3', 'pn', 'mu', 'accurate'],
  },
  'fixed-no-f3': {
    label: 'Trained fixed architecture, m − 1 ≤ P(N): accurate networks unstable at radius μ',
    theory: 'F3 does not apply here: an observation, not a prediction',
    terms: ['f3', 'pn', 'mu', 'accurate'],
  },
  'variable-trained': {
    label: 'Trained variable width: accurate networks unstable at radius μ',
    theory: 'no prediction: a stable network of variable width exists (ψ_T), training need not find it',
    terms: ['psi', 'mu', 'accurate'],
  },
  'construct-stable': {
    label: 'Constructed ψ_T: accurate networks unstable at radius μ',
    theory: 'F2 predicts none: ψ_T is correct on a ball of radius δ > μ around every point of an observed stripe',
    terms: ['psi', 'mu'],
  },
  shortcut: {
    label: 'Constructed σ: accurate networks unstable at radius μ',
    theory: 'F1 predicts all of them, at radius exactly μ',
    terms: ['sigma', 'mu'],
  },
};

/** `ids` plus the term of `algorithm` when one is defined (only algorithms the run has are linked). */
function termsWith(ids: string[], algorithm: string): string[] {
  const t = findTerm(algorithm);
  return t ? [...ids, t.id] : ids;
}

/** The verdict sentences of a headline (one per result), for the paragraph above the cards. */
export function verdicts(h: HeadlineData): string[] {
  const out: string[] = [];
  if (h.instability) out.push(`Result I: ${h.instability.verdict}`);
  if (h.noncomputability) out.push(`Result II: ${h.noncomputability.verdict}`);
  if (h.verify) out.push(`Verification: ${h.verify.verdict}`);
  return out;
}

/** The cards of a headline. */
export function headlineCards(h: HeadlineData): Headline[] {
  const out: Headline[] = [];
  const n = h.noncomputability;
  if (n) {
    if (n.hidden) {
      out.push({
        label: 'Largest min(p⁺, p⁻) with the sign hidden (readBits ≤ K, ε < ε_B)',
        value: interval(n.hidden),
        theory:
          n.violations > 0
            ? `Theorem H: at most 1/2 — VIOLATED: ${n.violations} of ${n.checked} checked rows have their whole interval above 1/2`
            : `Theorem H: at most 1/2 for every algorithm; no interval lies above 1/2 in ${n.checked} checked rows`,
        where: where(n.hidden),
        terms: ['min-p', 'k', 'epsb'],
      });
    }
    if (n.largestSum) {
      const s = n.largestSum;
      out.push({
        label: 'Largest p̂⁺ + p̂⁻ with the sign hidden (ε < ε_B)',
        value: interval(s),
        theory: `paired design: the counts obey k⁺ + k⁻ ≤ trials exactly, seed by seed (here ${s.kPlus} + ${s.kMinus} of ${s.trials}); the interval is for the probabilities and may reach past 1`,
        where: where(s),
        terms: ['min-p', 'k'],
      });
    }
    if (n.revealed) {
      out.push({
        label: 'Best min(p⁺, p⁻) reading more than K bits (ε < ε_B)',
        value: interval(n.revealed),
        theory:
          n.revealed.ci[0] > 0.5
            ? 'Theorem H does not apply once reads reveal the sign: the barrier lifts'
            : 'Theorem H does not apply here, yet no algorithm of this run rose above 1/2',
        where: where(n.revealed),
        terms: termsWith(['k'], n.revealed.algorithm),
      });
    }
    if (n.above) {
      out.push({
        label: 'Best min(p⁺, p⁻) at ε ≥ ε_B, sign still hidden',
        value: interval(n.above),
        theory:
          n.above.ci[0] > 0.5
            ? `at ε ≥ ε_B one network is close to both minimisers: ${n.above.algorithm} jumps above 1/2 here`
            : 'at ε ≥ ε_B one network is close to both minimisers, but no algorithm of this run jumped above 1/2',
        where: where(n.above),
        terms: termsWith(['epsb'], n.above.algorithm),
      });
    }
  }
  const r = h.instability;
  if (r) {
    for (const g of r.groups) {
      const words = GROUP[g.kind];
      const archs = g.archs.map((a) => a.join('-')).join(', ');
      out.push({
        label: words.label,
        value: shareValue(g.unstable),
        theory: words.theory,
        where: `${g.unstable.k} of ${g.unstable.n} accurate networks were unstable at radius μ; ${g.methods.join(', ')}${archs ? ` (${archs})` : ''}; ${g.unstable.trials} networks produced`,
        terms: words.terms,
      });
    }
    if (r.training) {
      const t = r.training;
      out.push({
        label: 'Trainings that reached zero training error',
        value: `${sharePercent(t.zeroError, t.trainings)} (${t.zeroError} of ${t.trainings})`,
        theory: `the rest are optimiser failures, not the theorem's inaccurate horn; ${t.accurate} were also correct on every validation point`,
        terms: ['accurate'],
      });
    }
    if (r.f3.applies > 0) {
      out.push({
        label: 'F3 checks that held',
        value: `${sharePercent(r.f3.holds, r.f3.applies)} (${r.f3.holds} of ${r.f3.applies})`,
        theory: 'every one (a failure stops the run as a bug)',
        terms: ['f3'],
      });
    }
    if (r.diverged > 0) out.push({ label: 'Trainings that diverged', value: String(r.diverged), theory: 'recorded outcomes, excluded from the statistics' });
  }
  if (h.excluded.cells > 0) {
    out.push({
      label: 'Cells left out of these numbers',
      value: String(h.excluded.cells),
      theory:
        h.excluded.minTrials !== null
          ? `fewer than ${h.excluded.minTrials} trials, the stopping rule's minimum`
          : 'unfinished cells of a run that did not record its minimum',
    });
  }
  return out;
}

/** Headline cards of a summary (empty when no cell has enough trials). */
export function headlines(summary: Summary): Headline[] {
  return headlineCards(headlineOf(summary));
}
