/**
 * The headline block printed at the end of every run: the paper's two results in plain words,
 * with the numbers and intervals from summary.json. `headline()` computes the findings (also sent
 * as a `headline` event with `--json`), `headlineText()` words them.
 */
import type { InstabilityCell, Interval, NoncomputabilityCell, Summary } from '@paradox/orchestrator';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { formatInterval, formatP, formatPercent, formatValue, groupInt } from './progress/format.js';

/** Worst-case success of one algorithm below ε_B. */
export interface AlgorithmFinding {
  algorithm: string;
  /** min(p̂⁺, p̂⁻) of the worst cell, at the largest ε below that cell's ε_B. */
  p: number;
  ci: Interval;
  /** Where the worst case was found. */
  K: number;
  readBits: number;
  eps: number;
  epsB: number;
  /** Trials per sign in that cell. */
  trials: number;
  /** Cells of this algorithm that had an ε below ε_B. */
  cells: number;
}

/** Pooled share of accurate networks that are unstable at radius μ. */
export interface PooledShare {
  /** Accurate networks that are unstable. */
  k: number;
  /** Accurate networks. */
  n: number;
  p: number;
  /** Clopper–Pearson interval of the pooled share. */
  ci: Interval;
  /** Trials in total (accurate or not). */
  trials: number;
}

/** One method/architecture line of the instability findings. */
export interface MethodFinding {
  method: string;
  /** `[N_0, …, N_L]`, or null for variable-width methods. */
  arch: number[] | null;
  accurate: { k: number; n: number };
  unstable: PooledShare;
}

/** Everything the headline says, as data. */
export interface Headline {
  name: string;
  experiment: Summary['run']['experiment'];
  complete: boolean;
  cellsComplete: number;
  cellsTotal: number;
  confidence: number;
  noncomputability?: {
    algorithms: AlgorithmFinding[];
    /** Range of ε_B over the cells. */
    epsB: [number, number];
    /** True when every algorithm's interval reaches down to 1/2 or below, as Result II predicts. */
    consistent: boolean;
    /**
     * The other side of the jump: the algorithm with the best worst case at the smallest ε ≥ ε_B
     * of each cell (the hedge reaches 1 there), or undefined when no ε at or above ε_B was swept.
     */
    above?: AlgorithmFinding;
  };
  instability?: {
    /** Trained fixed-architecture networks (the shortcut σ, a reference construction, excluded). */
    fixed: PooledShare;
    /** Variable-width networks (trained or the construction ψ_T). */
    variable: PooledShare;
    methods: MethodFinding[];
    /** Stripes m and hidden gaps μ that occur in the sweep. */
    m: number[];
    mu: number[];
    f3: { applies: number; holds: number };
  };
}

/** Clopper–Pearson interval for k successes in n trials at `confidence`. */
export function clopperPearson(k: number, n: number, confidence: number): Interval {
  if (n === 0) return [0, 1];
  const a = (1 - confidence) / 2;
  const lo = k === 0 ? 0 : betaQuantile(a, k, n - k + 1);
  const hi = k === n ? 1 : betaQuantile(1 - a, k + 1, n - k);
  return [lo, hi];
}

/**
 * Each algorithm's worst cell. Below ε_B (`below`), each cell is judged at its largest ε below ε_B
 * (the most lenient: failing there means failing below); above, at its smallest ε ≥ ε_B (the
 * strictest: succeeding there means succeeding above).
 */
function worstPerAlgorithm(cells: NoncomputabilityCell[], below: boolean): AlgorithmFinding[] {
  const byAlg = new Map<string, AlgorithmFinding>();
  for (const c of cells) {
    if (c.trials === 0) continue;
    let row: NoncomputabilityCell['eps'][number] | undefined;
    for (const r of c.eps) {
      if (r.belowBreakdown !== below) continue;
      if (row === undefined || (below ? r.eps > row.eps : r.eps < row.eps)) row = r;
    }
    if (!row) continue;
    const prev = byAlg.get(c.algorithm);
    const cand: AlgorithmFinding = {
      algorithm: c.algorithm,
      p: row.min.p,
      ci: row.min.ci,
      K: c.K,
      readBits: c.readBits,
      eps: row.eps,
      epsB: c.epsB,
      trials: c.trials,
      cells: (prev?.cells ?? 0) + 1,
    };
    if (!prev || cand.p < prev.p) byAlg.set(c.algorithm, cand);
    else prev.cells = cand.cells;
  }
  return [...byAlg.values()];
}

function pool(cells: InstabilityCell[], confidence: number): PooledShare {
  let k = 0;
  let n = 0;
  let trials = 0;
  for (const c of cells) {
    k += c.accurateUnstable.k;
    n += c.accurateUnstable.n;
    trials += c.trials;
  }
  return { k, n, p: n > 0 ? k / n : 0, ci: clopperPearson(k, n, confidence), trials };
}

/** The findings of a summary. */
export function headline(summary: Summary): Headline {
  const conf = summary.run.confidence;
  const h: Headline = {
    name: summary.run.name,
    experiment: summary.run.experiment,
    complete: summary.run.complete,
    cellsComplete: summary.run.cellsComplete,
    cellsTotal: summary.run.cellsTotal,
    confidence: conf,
  };
  const nc = summary.cells.filter((c): c is NoncomputabilityCell => c.experiment === 'noncomputability');
  if (nc.length > 0) {
    const algorithms = worstPerAlgorithm(nc, true);
    const epsBs = nc.filter((c) => c.trials > 0).map((c) => c.epsB);
    h.noncomputability = {
      algorithms,
      epsB: epsBs.length > 0 ? [Math.min(...epsBs), Math.max(...epsBs)] : [NaN, NaN],
      consistent: algorithms.every((a) => a.ci[0] <= 0.5),
    };
    let above: AlgorithmFinding | undefined;
    for (const a of worstPerAlgorithm(nc, false)) if (!above || a.p > above.p) above = a;
    if (above) h.noncomputability.above = above;
  }
  const inst = summary.cells.filter((c): c is InstabilityCell => c.experiment === 'instability');
  if (inst.length > 0) {
    const groups = new Map<string, InstabilityCell[]>();
    for (const c of inst) {
      const key = `${c.method}|${c.arch === null ? 'variable' : c.arch.join(',')}`;
      const g = groups.get(key);
      if (g) g.push(c);
      else groups.set(key, [c]);
    }
    const methods: MethodFinding[] = [...groups.values()].map((g) => {
      const first = g[0]!;
      return {
        method: first.method,
        arch: first.arch,
        accurate: { k: g.reduce((s, c) => s + c.accurate.k, 0), n: g.reduce((s, c) => s + c.accurate.n, 0) },
        unstable: pool(g, conf),
      };
    });
    h.instability = {
      // The shortcut σ is a reference construction (F1), not the output of a training procedure;
      // pooling it with trained networks would inflate the share, so it is only listed per method.
      fixed: pool(
        inst.filter((c) => c.arch !== null && c.method !== 'shortcut'),
        conf,
      ),
      variable: pool(
        inst.filter((c) => c.arch === null),
        conf,
      ),
      methods,
      m: [...new Set(inst.map((c) => c.m))].sort((a, b) => a - b),
      mu: [...new Set(inst.map((c) => c.mu))].sort((a, b) => a - b),
      f3: { applies: inst.reduce((s, c) => s + c.f3.applies, 0), holds: inst.reduce((s, c) => s + c.f3.holds, 0) },
    };
  }
  return h;
}

function range(xs: number[]): string {
  if (xs.length === 0) return '?';
  const lo = xs[0]!;
  const hi = xs[xs.length - 1]!;
  return lo === hi ? formatValue(lo) : `${formatValue(lo)}…${formatValue(hi)}`;
}

function share(s: PooledShare, conf: number): string {
  if (s.n === 0) return `no accurate networks among ${groupInt(s.trials)} trials`;
  return `${formatPercent(s.p)} (${groupInt(s.k)} of ${groupInt(s.n)} accurate; ${Math.round(conf * 100)}% CI ${formatInterval(s.ci)})`;
}

/** Where the run's outputs are, for the last lines of the headline. */
export interface Outputs {
  dir: string;
  /** Path of report.html when the report was written. */
  report?: string;
  /** Why there is no HTML report (e.g. viz not available yet). */
  noReportReason?: string;
}

/** The headline block as plain text lines (no colour, no escapes: it also goes to logs). */
export function headlineText(h: Headline, out: Outputs): string[] {
  const conf = `${Math.round(h.confidence * 100)}%`;
  const lines: string[] = [];
  const status = h.complete ? '' : ` — INCOMPLETE: ${h.cellsComplete} of ${h.cellsTotal} cells finished`;
  lines.push(`── ${h.name} (${h.experiment})${status} ──`);
  if (h.noncomputability) {
    const n = h.noncomputability;
    lines.push('Result II, existence without computability:');
    if (n.algorithms.length === 0) {
      lines.push('  no finished cell has an ε below the breakdown epsilon ε_B, so there is nothing to report below it.');
    } else {
      lines.push(
        `  Below the breakdown epsilon ε_B = ${range([...new Set(n.epsB)].sort((a, b) => a - b))}, no algorithm is reliably ε-accurate on both inputs of a hard pair.`,
        `  Worst-case success probability min(p⁺, p⁻) per algorithm, at the largest ε below ε_B (${conf} interval):`,
      );
      const w = Math.max(...n.algorithms.map((a) => a.algorithm.length));
      for (const a of n.algorithms) {
        lines.push(
          `    ${a.algorithm.padEnd(w)}  ${formatP(a.p)} ${formatInterval(a.ci)}  worst at K=${a.K}, readBits=${a.readBits}, ε=${formatValue(a.eps)} (${groupInt(a.trials)} trials per sign)`,
        );
      }
      lines.push(
        n.consistent
          ? '  Every algorithm stays at or below 1/2 within its interval, as the theorem predicts.'
          : '  WARNING: some algorithm exceeds 1/2 beyond its interval; the theorem says this cannot happen (please report it).',
      );
    }
    if (n.above && n.above.p > 0.5) {
      const a = n.above;
      lines.push(`  At ε ≥ ε_B the barrier is gone: ${a.algorithm} reaches min(p⁺, p⁻) = ${formatP(a.p)} ${formatInterval(a.ci)} on its worst pair (ε=${formatValue(a.eps)}).`);
    }
  }
  if (h.instability) {
    const s = h.instability;
    lines.push('Result I, the instability dichotomy:');
    lines.push(`  Accurate networks (correct on every training and validation point) unstable at radius μ = ${range(s.mu)}, m = ${range(s.m)} stripes:`);
    lines.push(`    fixed architecture, trained: ${share(s.fixed, h.confidence)}`);
    lines.push(`    variable width:              ${share(s.variable, h.confidence)}`);
    const w = Math.max(...s.methods.map((m) => label(m).length));
    for (const m of s.methods) {
      const acc = `${groupInt(m.accurate.k)}/${groupInt(m.accurate.n)} accurate`;
      const un = m.unstable.n > 0 ? `${formatPercent(m.unstable.p)} of them unstable ${formatInterval(m.unstable.ci)}` : 'none accurate';
      lines.push(`      ${label(m).padEnd(w)}  ${acc}, ${un}`);
    }
    if (s.f3.applies > 0) {
      lines.push(`  The dichotomy bound (F3) applied in ${groupInt(s.f3.applies)} trials and held in ${groupInt(s.f3.holds)}.`);
    }
  }
  if (out.report) lines.push(`Report: ${out.report}`);
  else lines.push(`Summary: ${out.dir}/summary.json and summary.csv${out.noReportReason ? ` (${out.noReportReason})` : ''}`);
  if (!h.complete) lines.push(`Resume with: paradox resume ${out.dir}`);
  return lines;
}

function label(m: MethodFinding): string {
  if (m.method === 'shortcut') return `shortcut σ (${m.arch?.join(',') ?? '?'}), reference`;
  return m.arch === null ? `${m.method} (variable width)` : `${m.method} (${m.arch.join(',')})`;
}
