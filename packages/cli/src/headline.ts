/**
 * The headline block printed at the end of every run: the paper's two results in plain words.
 * Every number comes from `headlineOf` (@paradox/orchestrator/summary), the one definition the
 * report's cards, the `--json` `headline` event and summary.json's `headline` field share; this
 * file only words it.
 */
import { headlineOf, sharePercent, type AlgorithmResult, type AnalyseHeadline, type HeadlineData, type InstabilityGroup, type MethodResult, type PairPoint, type ResultI, type ResultII, type Summary, type UnstableShare } from '@paradox/orchestrator/summary';
import { formatInterval, formatP, formatValue, groupInt } from './progress/format.js';

export { sharePercent };

/** Everything the headline says, as data (re-exported: the CLI's `--json` event carries it). */
export type Headline = HeadlineData;

/** The headline of a summary (the shared definition; see `headlineOf`). */
export function headline(summary: Summary): Headline {
  return headlineOf(summary);
}

/** Where the run's outputs are, for the last lines of the headline. */
export interface Outputs {
  dir: string;
  /** Path of report.html when the report was written. */
  report?: string;
  /** Why there is no HTML report (e.g. viz not available yet). */
  noReportReason?: string;
  /**
   * Print the "Terms … paradox explain TERM" line (default true). A screen with several blocks
   * (the demo) prints it once, in its last block.
   */
  terms?: boolean;
}

/** The line that points to `paradox explain` for the symbols the headline uses. */
export const TERMS_LINE = 'Terms (μ, P(N), F3, ψ_T, σ, ε_B, min(p⁺, p⁻), the algorithms): paradox explain TERM';

function range(xs: number[]): string {
  if (xs.length === 0) return '?';
  const lo = xs[0]!;
  const hi = xs[xs.length - 1]!;
  return lo === hi ? formatValue(lo) : `${formatValue(lo)}…${formatValue(hi)}`;
}

/** `N of M accurate networks were unstable at radius μ (P%; 95% CI [lo, hi])`. */
function unstableSentence(s: UnstableShare, conf: string): string {
  if (s.n === 0) return `no accurate networks among ${groupInt(s.trials)} trials`;
  return `${groupInt(s.k)} of ${groupInt(s.n)} accurate networks ${s.n === 1 ? 'was' : 'were'} unstable at radius μ (${sharePercent(s.k, s.n)}; ${conf} CI ${formatInterval(s.ci)})`;
}

const GROUP_LABEL: Record<InstabilityGroup['kind'], string> = {
  'fixed-f3': 'Trained, fixed architecture, m − 1 > P(N) (F3 predicts all unstable)',
  'fixed-no-f3': 'Trained, fixed architecture, m − 1 ≤ P(N) (F3 does not apply: observed)',
  'variable-trained': 'Trained, variable width (no prediction: observed)',
  'construct-stable': 'Constructed ψ_T (F2 predicts none unstable)',
  shortcut: 'Constructed σ (F1 predicts all unstable)',
};

function methodLabel(m: MethodResult): string {
  if (m.arch === null) return `${m.method} (variable width)`;
  return `${m.method} (${m.arch.join(',')}), P(N) = ${m.pieceBound ?? '?'}`;
}

function pairText(p: PairPoint): string {
  return `${formatP(p.p)} ${formatInterval(p.ci)}  at K=${p.K}, readBits=${p.readBits}, ε=${formatValue(p.eps)} (${groupInt(p.trials)} trials per sign)`;
}

function resultIIText(n: ResultII, conf: string): string[] {
  const lines = ['Result II, existence without computability:'];
  if (n.algorithms.length === 0) {
    lines.push(`  ${n.verdict}`);
    return lines;
  }
  const w = Math.max(...n.algorithms.map((a) => a.algorithm.length));
  const row = (a: AlgorithmResult, p: PairPoint, note = '') => `    ${a.algorithm.padEnd(w)}  ${pairText(p)}${note}`;
  const epsB = n.epsB ? range([...new Set(n.epsB)]) : '?';
  const hidden = n.algorithms.filter((a) => a.hidden);
  if (hidden.length > 0) {
    lines.push(`  Reads hidden (readBits ≤ K, adversarial oracle), ε < ε_B = ${epsB}: Theorem H says min(p⁺, p⁻) ≤ 1/2. Largest measured (${conf} interval):`);
    for (const a of hidden) {
      const v = a.violations.length;
      lines.push(row(a, a.hidden!, v > 0 ? `  ← ${v} row${v === 1 ? '' : 's'} with the interval above 1/2` : ''));
    }
  } else {
    lines.push(`  No cell hides the sign below ε_B = ${epsB} (readBits ≤ K under the adversarial oracle), so Theorem H bounds nothing here.`);
  }
  const revealed = n.algorithms.filter((a) => a.revealed);
  if (revealed.length > 0) {
    lines.push(`  Reads above K (readBits ≥ K+1), ε < ε_B: the theorem does not apply. Best measured:`);
    for (const a of revealed) lines.push(row(a, a.revealed!, a.revealed!.ci[0] > 0.5 ? '  (succeeds on both inputs)' : ''));
  }
  if (n.above) {
    const a = n.above;
    lines.push(
      a.ci[0] > 0.5
        ? `  At ε ≥ ε_B, reads still hidden: ${a.algorithm} reaches min(p⁺, p⁻) = ${formatP(a.p)} ${formatInterval(a.ci)} (K=${a.K}, readBits=${a.readBits}, ε=${formatValue(a.eps)}): the jump at ε_B.`
        : `  At ε ≥ ε_B, reads still hidden: the best is ${a.algorithm} with min(p⁺, p⁻) = ${formatP(a.p)} ${formatInterval(a.ci)} (ε=${formatValue(a.eps)}); no algorithm here jumps above 1/2.`,
    );
  }
  lines.push(`  Verdict: ${n.verdict}`);
  return lines;
}

function resultIText(s: ResultI, conf: string): string[] {
  const lines = [`Result I, the instability dichotomy (radius μ = ${range(s.mu)}, m = ${range(s.m)} stripes):`];
  if (s.groups.length === 0) {
    lines.push(`  ${s.verdict}`);
    return lines;
  }
  lines.push('  Accurate: correct on every training and validation point. Unstable: an attack moves a data point to a wrong answer within radius μ.');
  for (const g of s.groups) lines.push(`  ${GROUP_LABEL[g.kind]}:`, `      ${unstableSentence(g.unstable, conf)}`);
  lines.push('  Per method and architecture:');
  const w = Math.max(...s.methods.map((m) => methodLabel(m).length));
  for (const m of s.methods) {
    const acc = `${groupInt(m.accurate.k)} of ${groupInt(m.accurate.n)} trials accurate`;
    const un = m.unstable.n > 0 ? `${groupInt(m.unstable.k)} of them unstable (${sharePercent(m.unstable.k, m.unstable.n)})` : 'none accurate';
    lines.push(`    ${methodLabel(m).padEnd(w)}  ${acc}, ${un}`);
  }
  if (s.training) {
    const t = s.training;
    lines.push(
      `  Training reached zero training error in ${groupInt(t.zeroError)} of ${groupInt(t.trainings)} trainings (${sharePercent(t.zeroError, t.trainings)}); ${groupInt(t.accurate)} were also correct on every validation point.`,
    );
  }
  if (s.diverged > 0) lines.push(`  ${groupInt(s.diverged)} training${s.diverged === 1 ? '' : 's'} diverged (recorded outcomes, left out of the statistics).`);
  if (s.f3.applies > 0) {
    lines.push(`  F3 was checked on ${groupInt(s.f3.applies)} accurate networks whose data cover every stripe, and held on ${groupInt(s.f3.holds)}.`);
  }
  lines.push(`  Verdict: ${s.verdict}`);
  return lines;
}

/** One line per analysed cell: accuracy, the radius medians, the gap, the witness checks. */
function analyseText(cells: AnalyseHeadline[], conf: string): string[] {
  if (cells.length === 0) return ['  No point analysed yet.'];
  const base = (p: string) => p.split(/[\\/]/).pop() ?? p;
  return cells.map((c) => {
    const axes = Object.entries(c.axes).map(([k, v]) => `${k} ${typeof v === 'string' && (k === 'network' || k === 'data' || k === 'labels') ? base(v) : String(v)}`);
    const label = axes.length > 0 ? axes.join(', ') : base(c.network);
    const med = (x: number | null) => (x === null ? '—' : formatValue(x));
    const parts = [
      `accuracy ${formatP(c.accuracy.p)} ${formatInterval(c.accuracy.cp)} (${conf}) on ${groupInt(c.points)} point${c.points === 1 ? '' : 's'}`,
      `radius medians over correct points: certified ${med(c.certifiedMedian)}, attacked ${med(c.attackedMedian)}, gap ${med(c.gapMedian)}`,
    ];
    if (c.unbroken > 0) parts.push(`${groupInt(c.unbroken)} correct point${c.unbroken === 1 ? '' : 's'} without a witness`);
    if (c.witnessChecks.nudged + c.witnessChecks.dropped > 0) parts.push(`witnesses: ${c.witnessChecks.nudged} nudged, ${c.witnessChecks.dropped} dropped in exact arithmetic`);
    if (c.certContradictions > 0) parts.push(`${c.certContradictions} certified radii above an attacked one: please report it`);
    return `  ${label}: ${parts.join('; ')}.`;
  });
}

/** The headline block as plain text lines (no colour, no escapes: it also goes to logs). */
export function headlineText(h: Headline, out: Outputs): string[] {
  const conf = `${Math.round(h.confidence * 100)}%`;
  const lines: string[] = [];
  const status = h.complete ? '' : ` — INCOMPLETE: ${h.cellsComplete} of ${h.cellsTotal} cells finished`;
  lines.push(`── ${h.name} (${h.experiment})${status} ──`);
  if (h.noncomputability) lines.push(...resultIIText(h.noncomputability, conf));
  if (h.instability) lines.push(...resultIText(h.instability, conf));
  if (h.analyse) lines.push(...analyseText(h.analyse, conf));
  if (h.verify) lines.push(`  ${h.verify.verdict}`);
  if (h.excluded.cells > 0) {
    const why =
      h.excluded.minTrials !== null
        ? `fewer than ${groupInt(h.excluded.minTrials)} trials (the stopping rule's minimum)`
        : 'not finished';
    lines.push(`  Left out of these numbers: ${h.excluded.cells} cell${h.excluded.cells === 1 ? '' : 's'} with ${why}.`);
  }
  // The terms line explains the theorems' symbols; an analyse run uses none of them.
  if ((out.terms ?? true) && h.experiment !== 'analyse') lines.push(TERMS_LINE);
  if (out.report) lines.push(`Report: ${out.report}`);
  else lines.push(`Summary: ${out.dir}/summary.json and summary.csv${out.noReportReason ? ` (${out.noReportReason})` : ''}`);
  if (!h.complete) lines.push(`Resume with: paradox resume ${out.dir}`);
  return lines;
}
