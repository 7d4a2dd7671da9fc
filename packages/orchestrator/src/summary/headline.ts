/**
 * The headline of a run: every number the final screen, the report's cards, the `--json`
 * `headline` event and summary.json's `headline` field show, defined once, here. Consumers only
 * word these numbers; none recomputes an interval or re-picks a cell.
 *
 * Result II (noncomputability). Theorem H (docs/theory.md §II.5) bounds min(p⁺, p⁻) by 1/2 where
 * the oracle hides the sign: adversarial oracle, every read at n ≤ K, and ε < ε_B. Per algorithm the
 * headline gives (i) the largest min(p̂⁺, p̂⁻) over those (cell, ε) rows, with its interval, and the
 * rows whose whole interval lies above 1/2 (each one contradicts the theorem); (ii) where the theorem
 * does not apply (some read above K), the best min(p̂⁺, p̂⁻) below ε_B, so the barrier can be seen
 * lifting; (iii) at ε ≥ ε_B with hidden reads, the best min(p̂⁺, p̂⁻): the jump at ε_B.
 *
 * Result I (instability). Accurate networks (correct on every point of T ∪ V) unstable at radius μ,
 * pooled in groups that theory treats differently: trained fixed architectures where F3 applies
 * (m − 1 > P(N): predicted unstable), trained fixed architectures where it does not (observed only),
 * trained variable-width networks (no prediction), and each construction (σ: F1 predicts unstable;
 * ψ_T: F2 predicts stable).
 *
 * Cells with fewer trials than the stopping rule's minimum (`run.minTrials`; without it, every
 * unfinished cell) are left out of every headline number and counted in `excluded`.
 */
import { pieceBound } from '@paradox/core-wasm';
import { clopperPearson } from '../stats/intervals.js';
import type {
  AnalyseCell,
  AlgorithmResult,
  CellSummary,
  HeadlineData,
  InstabilityCell,
  InstabilityGroup,
  Interval,
  MethodResult,
  NoncomputabilityCell,
  PairPoint,
  Prediction,
  ResultI,
  ResultII,
  ResultV,
  Summary,
  UnstableShare,
  VerifyCell,
} from './types.js';

const TRAINING_METHODS = new Set(['train', 'adversarial-train', 'train-variable']);

/** Three decimals, for the verdict sentences. */
function f3dp(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : 'n/a';
}

function interval(ci: Interval): string {
  return `[${f3dp(ci[0])}, ${f3dp(ci[1])}]`;
}

/**
 * `k of n` as a percentage that never rounds to a claim the counts do not make: 100% only when
 * k = n, 0% only when k = 0 (otherwise one decimal, e.g. `99.8%`, `0.2%`); `n/a` when n = 0.
 * The screen and the report both write shares with it.
 */
export function sharePercent(k: number, n: number): string {
  if (n === 0) return 'n/a';
  const p = (100 * k) / n;
  const r = Math.round(p);
  if ((r === 100 && k < n) || (r === 0 && k > 0)) return `${p.toFixed(1)}%`;
  return `${r}%`;
}

/** True when the cell has enough trials to count in the headline. */
export function countsInHeadline(cell: CellSummary, minTrials: number | null): boolean {
  if (cell.trials <= 0) return false;
  if (cell.complete) return true;
  return minTrials !== null && cell.trials >= minTrials;
}

/**
 * True when Theorem H applies to a noncomputability cell: the adversarial oracle (the default)
 * and every read at n ≤ K — guaranteed by the budget readBits ≤ K (reads never exceed it), or
 * observed: no trial read above K (an adaptive algorithm that stopped early).
 */
export function readsHidden(cell: NoncomputabilityCell): boolean {
  const oracle = (cell.params as { oracle?: unknown }).oracle ?? 'adversarial';
  if (oracle !== 'adversarial') return false;
  return cell.readBits <= cell.K || (cell.bitsRead.n > 0 && cell.bitsRead.max <= cell.K);
}

function point(c: NoncomputabilityCell, row: NoncomputabilityCell['eps'][number]): PairPoint {
  return {
    p: row.min.p,
    ci: row.min.ci,
    K: c.K,
    readBits: c.readBits,
    eps: row.eps,
    epsB: c.epsB,
    trials: c.trials,
    bitsReadMax: c.bitsRead.n > 0 ? c.bitsRead.max : null,
    cellKey: c.cellKey,
  };
}

/** Larger p wins; on a tie, the larger lower end (the better-measured row), then the first. */
function better(a: PairPoint | undefined, b: PairPoint): boolean {
  return a === undefined || b.p > a.p || (b.p === a.p && b.ci[0] > a.ci[0]);
}

function bestOf<T extends PairPoint>(xs: Array<T | undefined>): T | undefined {
  let best: T | undefined;
  for (const x of xs) if (x && better(best, x)) best = x;
  return best;
}

function resultII(cells: NoncomputabilityCell[]): ResultII {
  const byAlg = new Map<string, AlgorithmResult>();
  let checked = 0;
  let largestSum: ResultII['largestSum'];
  for (const c of cells) {
    let a = byAlg.get(c.algorithm);
    if (!a) {
      a = { algorithm: c.algorithm, cells: 0, violations: [] };
      byAlg.set(c.algorithm, a);
    }
    a.cells++;
    const hidden = readsHidden(c);
    let firstAbove: NoncomputabilityCell['eps'][number] | undefined;
    for (const row of c.eps) {
      if (row.belowBreakdown) {
        const pt = point(c, row);
        if (hidden) {
          checked++;
          const sum = { ...pt, p: row.sum.p, ci: row.sum.ci, algorithm: c.algorithm, kPlus: row.plus.k, kMinus: row.minus.k };
          if (better(largestSum, sum)) largestSum = sum;
          if (row.min.ci[0] > 0.5) a.violations.push(pt);
          if (better(a.hidden, pt)) a.hidden = pt;
        } else if (better(a.revealed, pt)) a.revealed = pt;
      } else if (hidden && (firstAbove === undefined || row.eps < firstAbove.eps)) firstAbove = row;
    }
    if (firstAbove) {
      const pt = point(c, firstAbove);
      if (better(a.above, pt)) a.above = pt;
    }
  }
  const algorithms = [...byAlg.values()];
  const tag = (key: 'hidden' | 'revealed' | 'above') =>
    bestOf(algorithms.map((a) => (a[key] ? { ...a[key]!, algorithm: a.algorithm } : undefined)));
  const epsBs = cells.map((c) => c.epsB);
  const out: ResultII = {
    algorithms,
    epsB: epsBs.length > 0 ? [Math.min(...epsBs), Math.max(...epsBs)] : null,
    checked,
    violations: algorithms.reduce((s, a) => s + a.violations.length, 0),
    verdict: '',
  };
  const hidden = tag('hidden');
  const revealed = tag('revealed');
  const above = tag('above');
  if (hidden) out.hidden = hidden;
  if (revealed) out.revealed = revealed;
  if (above) out.above = above;
  if (largestSum) out.largestSum = largestSum;
  const plugins = cells.filter((c) => c.pluginNaN !== undefined);
  if (plugins.length > 0) {
    out.pluginNaN = {
      runs: plugins.reduce((s, c) => s + (c.pluginNaN?.runs ?? 0), 0),
      of: plugins.reduce((s, c) => s + (c.pluginNaN?.of ?? 0), 0),
      cells: plugins.filter((c) => (c.pluginNaN?.runs ?? 0) > 0).length,
    };
  }
  out.verdict = verdictII(out);
  return out;
}

function where(p: PairPoint): string {
  return `K = ${p.K}, readBits = ${p.readBits}, ε = ${p.eps}`;
}

function verdictII(r: ResultII): string {
  const parts: string[] = [];
  if (r.algorithms.length === 0) return 'No cell has enough finished trials to report on yet.';
  if (r.violations > 0) {
    const v = r.algorithms.flatMap((a) => a.violations.map((p) => ({ ...p, algorithm: a.algorithm }))).sort((x, y) => y.ci[0] - x.ci[0])[0]!;
    parts.push(
      `THEOREM VIOLATED: in ${r.violations} of ${r.checked} checked rows the interval of min(p̂⁺, p̂⁻) lies above 1/2 although every read was hidden (e.g. ${v.algorithm}: ${f3dp(v.p)} ${interval(v.ci)} at ${where(v)}); Theorem H says this cannot happen, so it is a bug: please report it.`,
    );
  } else if (r.hidden) {
    parts.push(
      `Where the oracle hides the sign (readBits ≤ K) and ε < ε_B, no algorithm's interval lies above 1/2 in ${r.checked} checked rows (largest min(p̂⁺, p̂⁻): ${r.hidden.algorithm}, ${f3dp(r.hidden.p)} ${interval(r.hidden.ci)}), as Theorem H predicts.`,
    );
  } else {
    parts.push('No cell hides the sign below ε_B (every cell reads more than K bits, uses an honest oracle, or has no ε below ε_B), so Theorem H bounds nothing in this run.');
  }
  if (r.revealed) {
    parts.push(
      r.revealed.ci[0] > 0.5
        ? `Reading more than K bits lifts the barrier: ${r.revealed.algorithm} reaches ${f3dp(r.revealed.p)} ${interval(r.revealed.ci)} below ε_B at ${where(r.revealed)}.`
        : `Reading more than K bits did not lift any algorithm above 1/2 here (best: ${r.revealed.algorithm}, ${f3dp(r.revealed.p)} ${interval(r.revealed.ci)}).`,
    );
  }
  if (r.above && r.above.ci[0] > 0.5) {
    parts.push(`At ε ≥ ε_B, with the same hidden reads, ${r.above.algorithm} reaches ${f3dp(r.above.p)} ${interval(r.above.ci)}: the jump at ε_B.`);
  }
  if (r.pluginNaN && r.pluginNaN.runs > 0) {
    const n = r.pluginNaN;
    parts.push(
      `The plugin returned NaN weights in ${n.runs} of ${n.of} runs (${sharePercent(n.runs, n.of)}, in ${n.cells} cell${n.cells === 1 ? '' : 's'}); ` +
        'those runs count as diverged (no success at any ε): check the plugin.',
    );
  }
  return parts.join(' ');
}

function share(cells: InstabilityCell[], confidence: number): UnstableShare {
  let k = 0;
  let n = 0;
  let trials = 0;
  for (const c of cells) {
    k += c.accurateUnstable.k;
    n += c.accurateUnstable.n;
    trials += c.trials;
  }
  return { k, n, p: n > 0 ? k / n : 0, ci: clopperPearson(k, n, confidence), trials, cells: cells.length };
}

/** P(N) of a fixed architecture, or null for variable width (or an architecture core-wasm rejects). */
function pieceBoundOf(arch: number[] | null): number | null {
  if (arch === null) return null;
  try {
    return pieceBound(arch);
  } catch {
    return null;
  }
}

/** The group a cell belongs to. */
function groupOf(c: InstabilityCell): InstabilityGroup['kind'] {
  if (c.method === 'shortcut') return 'shortcut';
  if (c.method === 'construct-stable') return 'construct-stable';
  if (c.arch === null) return 'variable-trained';
  const P = pieceBoundOf(c.arch);
  return P !== null && P < c.m - 1 ? 'fixed-f3' : 'fixed-no-f3';
}

const GROUP_ORDER: InstabilityGroup['kind'][] = ['fixed-f3', 'fixed-no-f3', 'variable-trained', 'construct-stable', 'shortcut'];
const PREDICTION: Record<InstabilityGroup['kind'], Prediction> = {
  'fixed-f3': 'unstable',
  'fixed-no-f3': 'none',
  'variable-trained': 'none',
  'construct-stable': 'stable',
  shortcut: 'unstable',
};

function resultI(cells: InstabilityCell[], confidence: number): ResultI {
  const byGroup = new Map<InstabilityGroup['kind'], InstabilityCell[]>();
  const byMethod = new Map<string, InstabilityCell[]>();
  for (const c of cells) {
    const g = groupOf(c);
    byGroup.set(g, [...(byGroup.get(g) ?? []), c]);
    const key = `${c.method}|${c.arch === null ? 'variable' : c.arch.join(',')}`;
    byMethod.set(key, [...(byMethod.get(key) ?? []), c]);
  }
  const groups: InstabilityGroup[] = GROUP_ORDER.filter((g) => byGroup.has(g)).map((kind) => {
    const g = byGroup.get(kind)!;
    const archs: number[][] = [];
    for (const c of g) if (c.arch !== null && !archs.some((a) => a.join(',') === c.arch!.join(','))) archs.push(c.arch);
    return {
      kind,
      methods: [...new Set(g.map((c) => c.method))],
      archs,
      prediction: PREDICTION[kind],
      unstable: share(g, confidence),
      accurate: g.reduce((s, c) => s + c.accurate.k, 0),
      zeroError: g.every((c) => c.trainFit !== undefined) ? g.reduce((s, c) => s + c.trainFit!.k, 0) : null,
    };
  });
  const methods: MethodResult[] = [...byMethod.values()].map((g) => {
    const first = g[0]!;
    return {
      method: first.method,
      arch: first.arch,
      pieceBound: pieceBoundOf(first.arch),
      accurate: { k: g.reduce((s, c) => s + c.accurate.k, 0), n: g.reduce((s, c) => s + c.accurate.n, 0) },
      unstable: share(g, confidence),
    };
  });
  const trained = cells.filter((c) => TRAINING_METHODS.has(c.method));
  const recorded = trained.every((c) => c.trainFit !== undefined);
  const out: ResultI = {
    mu: [...new Set(cells.map((c) => c.mu))].sort((a, b) => a - b),
    m: [...new Set(cells.map((c) => c.m))].sort((a, b) => a - b),
    groups,
    methods,
    training:
      trained.length > 0 && recorded
        ? {
            zeroError: trained.reduce((s, c) => s + c.trainFit!.k, 0),
            trainings: trained.reduce((s, c) => s + c.trials, 0),
            accurate: trained.reduce((s, c) => s + c.accurate.k, 0),
          }
        : null,
    f3: { applies: cells.reduce((s, c) => s + c.f3.applies, 0), holds: cells.reduce((s, c) => s + c.f3.holds, 0) },
    diverged: cells.reduce((s, c) => s + c.diverged, 0),
    verdict: '',
  };
  out.verdict = verdictI(out);
  return out;
}

function verdictI(r: ResultI): string {
  const g = (kind: InstabilityGroup['kind']) => r.groups.find((x) => x.kind === kind);
  const parts: string[] = [];
  if (r.groups.length === 0) return 'No cell has enough finished trials to report on yet.';
  const f3 = g('fixed-f3');
  if (r.f3.applies > r.f3.holds) {
    parts.push(`F3 FAILED in ${r.f3.applies - r.f3.holds} of ${r.f3.applies} checks: a bug in the measurement, please report it.`);
  }
  if (f3 && f3.unstable.n > 0) {
    parts.push(
      f3.unstable.k === f3.unstable.n
        ? `Every one of the ${f3.unstable.n} accurate fixed-architecture networks with m − 1 > P(N) was unstable at radius μ, as F3 predicts.`
        : `${f3.unstable.k} of ${f3.unstable.n} accurate fixed-architecture networks with m − 1 > P(N) were unstable at radius μ (F3 predicts all of those whose training and validation data cover every stripe: ${r.f3.holds} of ${r.f3.applies} checked held).`,
    );
  } else if (f3) {
    const fit = f3.zeroError === null ? '' : ` (${f3.zeroError} of ${f3.unstable.trials} trainings reached zero training error${f3.zeroError === 0 ? ': the optimiser failed, which is not the theorem’s inaccurate horn' : ''})`;
    parts.push(`No fixed-architecture training with m − 1 > P(N) produced an accurate network${fit}, so F3 had nothing to predict.`);
  } else {
    parts.push('No fixed architecture here has m − 1 > P(N), so F3 predicts nothing in this run.');
  }
  const psi = g('construct-stable');
  if (psi && psi.unstable.n > 0) {
    parts.push(
      psi.unstable.k === 0
        ? `The constructed ψ_T was accurate and stable in all ${psi.unstable.n} accurate cases: stable networks exist (F2).`
        : `The constructed ψ_T was unstable in ${psi.unstable.k} of ${psi.unstable.n} accurate cases, although F2 predicts none: please report it.`,
    );
  }
  const tv = g('variable-trained');
  if (tv && tv.unstable.n > 0) {
    parts.push(
      `Trained variable-width networks: ${tv.unstable.k} of ${tv.unstable.n} accurate ones were unstable — ${tv.unstable.k === tv.unstable.n ? 'training did not find the stable network that exists' : tv.unstable.k === 0 ? 'training found stable networks' : 'training found a stable network only sometimes'}.`,
    );
  }
  return parts.join(' ');
}

/** Plural-aware count: `1 instance`, `3 instances`. */
function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** The verify headline from the instances that have run (VNN-COMP words in brackets). */
export function resultV(cells: VerifyCell[]): ResultV {
  const ran = cells.filter((c) => c.verdict !== null);
  const n = (v: VerifyCell['verdict']) => ran.filter((c) => c.verdict === v).length;
  const why = (r: VerifyCell['reason']) => ran.filter((c) => c.verdict === 'unknown' && c.reason === r).length;
  const out: ResultV = {
    instances: ran.length,
    verified: n('verified'),
    falsified: n('falsified'),
    unknown: { time: why('time'), nodes: why('nodes'), memory: why('memory') },
    verdict: '',
  };
  const undecided = out.unknown.time + out.unknown.nodes + out.unknown.memory;
  if (ran.length === 0) out.verdict = 'No instance has run yet.';
  else {
    const limits = [
      out.unknown.time > 0 ? `${out.unknown.time} at the time limit (timeout)` : '',
      out.unknown.nodes > 0 ? `${out.unknown.nodes} at the node limit` : '',
      out.unknown.memory > 0 ? `${out.unknown.memory} at the memory limit` : '',
    ].filter((s) => s !== '');
    out.verdict =
      `${count(ran.length, 'instance')}: ${out.verified} verified (unsat), ${out.falsified} falsified (sat), ${undecided} undecided` +
      (undecided > 0 ? ` (${limits.join(', ')})` : '') +
      (undecided === 0 ? ' — every instance decided.' : out.verified + out.falsified === 0 ? ' — none decided within the limits.' : '.');
  }
  return out;
}

/** The headline of a summary: every number the screen, the report and `--json` show. */
export function headlineOf(summary: Summary): HeadlineData {
  const minTrials = typeof summary.run.minTrials === 'number' ? summary.run.minTrials : null;
  const counted = summary.cells.filter((c) => countsInHeadline(c, minTrials));
  const h: HeadlineData = {
    name: summary.run.name,
    experiment: summary.run.experiment,
    complete: summary.run.complete,
    cellsComplete: summary.run.cellsComplete,
    cellsTotal: summary.run.cellsTotal,
    confidence: summary.run.confidence,
    excluded: { cells: summary.cells.length - counted.length, minTrials },
  };
  const nc = counted.filter((c): c is NoncomputabilityCell => c.experiment === 'noncomputability');
  if (summary.cells.some((c) => c.experiment === 'noncomputability')) h.noncomputability = resultII(nc);
  const inst = counted.filter((c): c is InstabilityCell => c.experiment === 'instability');
  if (summary.cells.some((c) => c.experiment === 'instability')) h.instability = resultI(inst, summary.run.confidence);
  if (summary.cells.some((c) => c.experiment === 'analyse')) {
    h.analyse = counted
      .filter((c): c is AnalyseCell => c.experiment === 'analyse' && c.trials > 0)
      .map((c) => ({
        axes: c.axes,
        network: c.network,
        data: c.data,
        points: c.trials,
        accuracy: c.accuracy,
        certifiedMedian: c.certified.n > 0 ? c.certified.median : null,
        attackedMedian: c.attacked.n > 0 ? c.attacked.median : null,
        gapMedian: c.gap.n > 0 ? c.gap.median : null,
        unbroken: c.accuracy.k - c.attacked.n,
        witnessChecks: c.witnessChecks,
        certContradictions: c.certContradictions,
      }));
  }
  if (summary.cells.some((c) => c.experiment === 'verify')) h.verify = resultV(counted.filter((c): c is VerifyCell => c.experiment === 'verify'));
  return h;
}
