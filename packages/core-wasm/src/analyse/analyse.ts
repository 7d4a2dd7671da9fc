/**
 * `analyse`: a user's network on a user's data set. Accuracy under the chosen criterion, and per
 * point the bracket [certified, attacked] on the robustness radius (ℓ∞ or ℓ2):
 *   attacked  — the norm of the smallest confirmed witness found by DeepFool, PGD (minimal radius
 *               by bisection), FGSM and random search (an upper bound on the true radius);
 *   certified — the largest radius (bisection) whose whole ball IBP or CROWN proves correct, with
 *               directed rounding by default (a lower bound, sound for the real-valued network).
 * Robust accuracy at a list of radii from both ends, and the gap. Deterministic for a seed.
 */
import type { Core } from '../core.js';
import { CoreError, formatValue } from '../errors.js';
import { forward, type Dataset } from '../mlp.js';
import { createNetwork, validateNetwork, layerOffset, type Network } from '../network.js';
import { PhiloxStream, SUBSTREAM } from '../rng.js';
import { certify } from '../instability/attack.js';
import type { CertMethod, NormName } from '../instability/params.js';
import { checkCriterion, criterionScore, dataShape, type Criterion, type InputBox } from '../io/data.js';
import { exactRadius, type ExactRadius } from '../verify/radius.js';
import { deepfool, diffRow, pgd, randomSearch, soundConfirm, type AttackTarget, type Witness, type WitnessStatus } from './attacks.js';

/** Substream of `analyse`'s attack randomness (stream = point index): `SUBSTREAM.analyse`. */
export const ANALYSE_SUBSTREAM = SUBSTREAM.analyse;

/** Options of `analyse`. Defaults in `ANALYSE_DEFAULTS`. */
export interface AnalyseOptions {
  /** binary (one output, |φ − y| < 1/2) or multiclass (argmax); default from the output count. */
  criterion?: Criterion;
  /** Ball norm. */
  norm?: NormName;
  /** Radii at which to report robust accuracy (each ≤ maxRadius). */
  radii?: number[];
  /** Largest radius searched by attacks and certificates. */
  maxRadius?: number;
  /** Optional input box: attacks stay inside it (certificates cover the whole ball, a superset). */
  box?: InputBox | null;
  /** Certification method. */
  cert?: CertMethod;
  /** Widen bounds by rigorous rounding-error bounds (sound in floating point). */
  directed?: boolean;
  /** Bisection steps of the certified radius. */
  certIters?: number;
  /** Bisection steps of the minimal PGD radius. */
  attackIters?: number;
  /** PGD steps and restarts. */
  steps?: number;
  restarts?: number;
  /** Random-search queries per radius tried. */
  queries?: number;
  /** DeepFool iterations. */
  deepfoolIters?: number;
  /** Seed of the attack random streams (stream = point index). */
  seed?: number;
  /** Analyse only these point indices (default all). */
  points?: number[];
  /**
   * Multi-class with the *smallest* output as the class (e.g. ACAS Xu advisories): the network
   * is analysed with its last layer negated, which is exact in floating point.
   */
  argmin?: boolean;
  /** Keep each point's reported perturbation η in `PointAnalysis.eta` (default false: d values per point). */
  witnesses?: boolean;
  /**
   * Also compute each point's exact ℓ∞ radius within the relative tolerance `tol` [1e-6] by
   * bisection over the complete verifier (verify/radius.ts), each verifier call limited to
   * `maxNodes` sub-boxes [20 000] (no time limit: results do not depend on load). ℓ∞ only, not
   * with an input box. Default null (off).
   */
  exactRadius?: { tol?: number; maxNodes?: number } | null;
}

/** Defaults of `AnalyseOptions`. */
export const ANALYSE_DEFAULTS = {
  norm: 'linf' as NormName,
  radii: [] as number[],
  maxRadius: 1,
  cert: 'crown' as CertMethod,
  directed: true,
  certIters: 14,
  attackIters: 10,
  steps: 20,
  restarts: 2,
  queries: 200,
  deepfoolIters: 30,
  seed: 0,
  argmin: false,
  witnesses: false,
  exactRadius: null as { tol?: number; maxNodes?: number } | null,
};

/** Result for one point. */
export interface PointAnalysis {
  index: number;
  label: number;
  /** Predicted class (binary: φ ≥ 1/2; multi-class: argmax). */
  predicted: number;
  correct: boolean;
  /** Criterion score at x (binary: 1/2 − |φ − y|; multi-class: margin). Positive iff correct. */
  score: number;
  /** Certified radius (lower bound; 0 if wrong). */
  certified: number;
  /** Smallest confirmed witness norm (upper bound; 0 if wrong; Infinity if none ≤ maxRadius). */
  attacked: number;
  /** attacked − certified. */
  gap: number;
  /** Attack that found the smallest witness (`none`, `clean` when wrong at x). */
  attack: string;
  /**
   * The sound check of the reported witness (exact arithmetic, `soundConfirm`): `confirmed` as
   * found, `nudged` outward to be confirmed, `dropped` when no candidate could be confirmed (the
   * point's attacked radius is then ∞; for a point wrong at x, wrong in f64 only), null when no
   * attack found anything. `droppedCandidates` counts f64 witnesses the check rejected on the way.
   */
  witness: WitnessStatus | null;
  droppedCandidates: number;
  /**
   * With `witnesses: true`: the perturbation whose point x + η is wrong in exact arithmetic and
   * whose exact distance is at most `attacked` (zeros for a point wrong at x), or null when
   * `attacked` is ∞.
   */
  eta?: Float64Array | null;
  /**
   * With the `exactRadius` option: the exact radius r ∈ [lower, upper] in exact arithmetic
   * (`upper` ∞ when the ball of radius maxRadius is verified), `status` `converged` (within tol)
   * or the verifier limit that stopped the bisection.
   */
  exact?: { lower: number; upper: number; status: ExactRadius['status'] };
}

/** Robust accuracy at one radius. */
export interface RadiusAccuracy {
  radius: number;
  /** Fraction of points certified at this radius (lower bound on robust accuracy). */
  certified: number;
  /** Fraction of correct points with no witness of norm ≤ radius (upper bound). */
  attacked: number;
}

/** Result of `analyse`. */
export interface AnalyseResult {
  criterion: Criterion;
  norm: NormName;
  n: number;
  accuracy: number;
  robust: RadiusAccuracy[];
  /** Over the correct points with a finite attacked radius. */
  gap: { mean: number; median: number; max: number; points: number };
  medianCertified: number;
  medianAttacked: number;
  /** Points whose certified radius exceeds the attacked one (0 unless a certificate is unsound). */
  certContradictions: number;
  /**
   * Sound witness checks: `nudged` points whose reported witness had to be moved outward to be
   * confirmed in exact arithmetic; `dropped` f64 witnesses the check rejected (a smaller-norm
   * candidate that failed, or a point's only one).
   */
  witnessChecks: { nudged: number; dropped: number };
  /**
   * With the `exactRadius` option: medians of the points' exact-radius lower and upper ends (so
   * medianLower ≤ the median exact radius ≤ medianUpper), the largest relative bracket width
   * (finite upper ends) and the points whose bisection converged.
   */
  exactRadius?: { medianLower: number; medianUpper: number; maxRelWidth: number; converged: number; points: number };
  points: PointAnalysis[];
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  // Not a − b: radii may be ∞, and ∞ − ∞ is NaN (an inconsistent comparator).
  const s = [...v].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * One-output networks whose outputs bound the criterion: binary → the network itself; multi-class
 * with label y → for each j ≠ y, φ_y − φ_j as one network when the last-layer differences are
 * exact in floating point (always for f32 weights), else φ_y and φ_j separately (sound, looser).
 */
type MarginCheck = { kind: 'diff'; net: Network } | { kind: 'pair'; y: Network; j: Network };

function outputRows(net: Network, rows: number[]): Network {
  const L = net.dims.length - 1;
  const nPrev = net.dims[L - 1]!;
  const off = layerOffset(net.dims, net.bias, L);
  const K = net.dims[L]!;
  const p = new Float64Array(off + rows.length * (nPrev + (net.bias ? 1 : 0)));
  p.set(net.params.subarray(0, off));
  rows.forEach((r, i) => {
    p.set(net.params.subarray(off + r * nPrev, off + (r + 1) * nPrev), off + i * nPrev);
    if (net.bias) p[off + rows.length * nPrev + i] = net.params[off + K * nPrev + r]!;
  });
  return createNetwork([...net.dims.slice(0, L), rows.length], net.bias, p);
}

function marginChecks(net: Network, y: number): MarginCheck[] {
  const L = net.dims.length - 1;
  const K = net.dims[L]!;
  const off = layerOffset(net.dims, net.bias, L);
  const out: MarginCheck[] = [];
  for (let j = 0; j < K; j++) {
    if (j === y) continue;
    const row = diffRow(net, y, j);
    if (row === null) {
      out.push({ kind: 'pair', y: outputRows(net, [y]), j: outputRows(net, [j]) });
      continue;
    }
    const p = new Float64Array(off + row.length);
    p.set(net.params.subarray(0, off));
    p.set(row, off);
    out.push({ kind: 'diff', net: createNetwork([...net.dims.slice(0, L), 1], net.bias, p) });
  }
  return out;
}

/** Options validated with defaults filled. */
type Resolved = typeof ANALYSE_DEFAULTS & { criterion: Criterion; box: InputBox | null; points: number[] | undefined };

function resolve(net: Network, data: Dataset<Float64Array>, o: AnalyseOptions): Resolved {
  const { n, d } = dataShape(data);
  const r = { ...ANALYSE_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as Resolved;
  r.criterion = checkCriterion(o.criterion, net.dims[net.dims.length - 1]!, data);
  if (r.norm !== 'linf' && r.norm !== 'l2') throw new CoreError('E_ARG', `norm: expected linf or l2, got ${formatValue(r.norm)}`);
  if (r.cert !== 'ibp' && r.cert !== 'crown') throw new CoreError('E_ARG', `cert: expected ibp or crown, got ${formatValue(r.cert)}`);
  if (!(r.maxRadius > 0 && Number.isFinite(r.maxRadius))) throw new CoreError('E_ARG', `maxRadius: expected a radius > 0, got ${formatValue(r.maxRadius)}`);
  r.radii.forEach((v, i) => {
    if (!(v >= 0 && v <= r.maxRadius)) throw new CoreError('E_ARG', `radii[${i}]: expected a radius in [0, maxRadius = ${r.maxRadius}], got ${formatValue(v)}`);
  });
  const ints: [keyof typeof ANALYSE_DEFAULTS, number, number][] = [
    ['certIters', 1, 60], ['attackIters', 0, 60], ['steps', 1, 10000], ['restarts', 1, 1000], ['queries', 0, 100000], ['deepfoolIters', 0, 10000],
  ];
  for (const [k, lo, hi] of ints) {
    const v = r[k] as unknown;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new CoreError('E_ARG', `${k}: expected an integer in [${lo}, ${hi}], got ${formatValue(v)}`);
  }
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) throw new CoreError('E_ARG', `seed: expected an integer ≥ 0, got ${formatValue(r.seed)}`);
  if (typeof r.argmin !== 'boolean') throw new CoreError('E_ARG', `argmin: expected true or false, got ${formatValue(r.argmin)}`);
  if (r.argmin && r.criterion !== 'multiclass') throw new CoreError('E_ARG', 'argmin: only for the multiclass criterion');
  if (typeof r.witnesses !== 'boolean') throw new CoreError('E_ARG', `witnesses: expected true or false, got ${formatValue(r.witnesses)}`);
  if (typeof r.directed !== 'boolean') throw new CoreError('E_ARG', `directed: expected true or false, got ${formatValue(r.directed)}`);
  if (r.box && (r.box.lo.length !== d || r.box.hi.length !== d)) throw new CoreError('E_SHAPE', `box: expected ${d} bounds per side`);
  if (r.exactRadius !== null) {
    const e = r.exactRadius as Record<string, unknown>;
    if (typeof e !== 'object' || Array.isArray(e)) throw new CoreError('E_ARG', `exactRadius: expected null or {tol, maxNodes}, got ${formatValue(e)}`);
    const tol = e.tol ?? 1e-6;
    if (typeof tol !== 'number' || !(tol >= 1e-12 && tol < 1)) throw new CoreError('E_ARG', `exactRadius.tol: expected a relative tolerance in [1e-12, 1), got ${formatValue(tol)}`);
    const maxNodes = e.maxNodes ?? 20_000;
    if (typeof maxNodes !== 'number' || !Number.isInteger(maxNodes) || maxNodes < 1 || maxNodes > 10_000_000) throw new CoreError('E_ARG', `exactRadius.maxNodes: expected an integer in [1, 10000000], got ${formatValue(maxNodes)}`);
    if (r.norm !== 'linf') throw new CoreError('E_ARG', `exactRadius: the exact radius is an ℓ∞ radius; got norm ${r.norm}`);
    if (r.box) throw new CoreError('E_ARG', 'exactRadius: not with an input box (the verifier\'s balls are not clipped to it)');
    r.exactRadius = { tol, maxNodes };
  }
  if (o.points !== undefined) {
    o.points.forEach((i, q) => {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new CoreError('E_ARG', `points[${q}]: expected a point index in [0, ${n - 1}], got ${formatValue(i)}`);
    });
  }
  return r;
}

/**
 * Validate `options` for `net` and `data` as `analyse` would (criterion against the outputs and
 * labels, radii, iteration counts, box shape), without analysing: throws the same `CoreError`s.
 */
export function checkAnalyseOptions(net: Network, data: Dataset<Float64Array>, options: AnalyseOptions = {}): void {
  validateNetwork(net);
  const { d } = dataShape(data);
  if (d !== net.dims[0]) throw new CoreError('E_SHAPE', `data: points have ${d} coordinates, the network has ${net.dims[0]} inputs`);
  resolve(net, data, options);
}

/** Whether the ball B(x, eps) is certified correct for label y. */
function certifiedAt(core: Core, net: Network, checks: MarginCheck[] | null, x: Float64Array, y: number, eps: number, r: Resolved): boolean {
  const opt = { norm: r.norm, method: r.cert, directed: r.directed };
  if (checks === null) {
    const b = certify(core, net, x, eps, opt);
    return b.lower > y - 0.5 && b.upper < y + 0.5;
  }
  for (const c of checks) {
    if (c.kind === 'diff') {
      if (!(certify(core, c.net, x, eps, opt).lower > 0)) return false;
    } else if (!(certify(core, c.y, x, eps, opt).lower > certify(core, c.j, x, eps, opt).upper)) return false;
  }
  return true;
}

/** The same network with its output layer negated (exact): argmin of φ is argmax of the result. */
export function negateOutputs(net: Network): Network {
  validateNetwork(net);
  const L = net.dims.length - 1;
  const off = layerOffset(net.dims, net.bias, L);
  const p = net.params.slice();
  for (let i = off; i < p.length; i++) p[i] = -p[i]!;
  return createNetwork(net.dims, net.bias, p);
}

/** Analyse one point (see `analyse`). */
export function analysePoint(core: Core, net: Network, data: Dataset<Float64Array>, index: number, options: AnalyseOptions = {}): PointAnalysis {
  validateNetwork(net);
  const r = resolve(net, data, options);
  return pointWith(core, r.argmin ? negateOutputs(net) : net, data, index, r);
}

/** The `exactRadius` option's bracket at x (no time limit: the same on any machine). */
function exactAt(core: Core, net: Network, x: Float64Array, y: number, r: Resolved): PointAnalysis['exact'] {
  const o = r.exactRadius as { tol: number; maxNodes: number };
  const e = exactRadius(core, net, x, y, r.criterion, { maxRadius: r.maxRadius, tol: o.tol, maxNodes: o.maxNodes, timeLimit: Infinity });
  return { lower: e.lower, upper: e.upper, status: e.status };
}

function pointWith(core: Core, net: Network, data: Dataset<Float64Array>, index: number, r: Resolved): PointAnalysis {
  const { d } = dataShape(data);
  const x = data.x.slice(index * d, (index + 1) * d);
  const y = data.y[index]!;
  const phi = forward(core, net, x);
  const score = criterionScore(r.criterion, phi, y);
  let predicted: number;
  if (r.criterion === 'binary') predicted = phi[0]! >= 0.5 ? 1 : 0;
  else {
    predicted = 0;
    for (let j = 1; j < phi.length; j++) if (phi[j]! > phi[predicted]!) predicted = j;
  }
  const t: AttackTarget = { core, net, criterion: r.criterion, norm: r.norm, x, y, box: r.box };
  if (!(score > 0)) {
    // Wrong at x in f64: radius 0 only when x itself is wrong in exact arithmetic.
    const c = soundConfirm(t, new Float64Array(d), 'clean');
    const attacked = c.witness === null ? Infinity : 0;
    const out: PointAnalysis = { index, label: y, predicted, correct: false, score, certified: 0, attacked, gap: 0, attack: 'clean', witness: c.status, droppedCandidates: c.witness === null ? 1 : 0 };
    if (r.witnesses) out.eta = c.witness?.eta ?? null;
    if (r.exactRadius) out.exact = exactAt(core, net, x, y, r);
    return out;
  }

  const rng = new PhiloxStream({ seed: r.seed, stream: index, substream: ANALYSE_SUBSTREAM });
  let best: Witness | null = null;
  // Every f64-confirmed witness within maxRadius (the search steers by them; the reported one must
  // pass the sound check below, smallest norm first).
  const candidates: Witness[] = [];
  const keep = (w: Witness | null): void => {
    if (w === null || !(w.norm <= r.maxRadius)) return;
    candidates.push(w);
    if (best === null || w.norm < best.norm) best = w;
  };
  const pgdOpts = { steps: r.steps, restarts: r.restarts, randomStart: true, stepFraction: 2.5 / r.steps };
  if (r.deepfoolIters > 0) keep(deepfool(t, r.deepfoolIters, 0.02, r.maxRadius));
  const hi0 = (best as Witness | null)?.norm ?? r.maxRadius;
  keep(pgd(t, hi0, { steps: 1, restarts: 1, randomStart: false, stepFraction: 1 }, rng, 'fgsm'));
  keep(pgd(t, hi0, pgdOpts, rng));
  if (best !== null) {
    // Minimal radius by bisection over PGD, below the best witness so far.
    let lo = 0;
    for (let it = 0; it < r.attackIters; it++) {
      const hi = (best as Witness).norm;
      const mid = (lo + hi) / 2;
      const w = pgd(t, mid, pgdOpts, rng, 'pgd-bisect');
      if (w !== null) keep(w);
      else lo = mid;
    }
  }
  if (r.queries > 0) {
    // Gradient-free: at the best radius so far (or maxRadius), then halving while it succeeds.
    let eps = (best as Witness | null)?.norm ?? r.maxRadius;
    for (let it = 0; it < 8; it++) {
      const w = randomSearch(t, eps, r.queries, rng);
      if (w === null) break;
      keep(w);
      eps /= 2;
    }
  }
  // Smallest norm first; equal norms keep the order found (deterministic).
  const order = candidates.map((w, i) => ({ w, i })).sort((a, b) => a.w.norm - b.w.norm || a.i - b.i);
  let sound: Witness | null = null;
  let status: WitnessStatus | null = null;
  let droppedCandidates = 0;
  for (const { w } of order) {
    const c = soundConfirm(t, w.eta.slice(), w.attack);
    status = c.status;
    if (c.witness !== null) {
      sound = c.witness;
      break;
    }
    droppedCandidates++;
  }
  const attacked = sound?.norm ?? Infinity;

  const checks = r.criterion === 'binary' ? null : marginChecks(net, y);
  let lo = 0;
  let hi = Math.min(attacked, r.maxRadius);
  for (let it = 0; it < r.certIters; it++) {
    const mid = (lo + hi) / 2;
    if (certifiedAt(core, net, checks, x, y, mid, r)) lo = mid;
    else hi = mid;
  }
  const certified = lo;
  const out: PointAnalysis = { index, label: y, predicted, correct: true, score, certified, attacked, gap: attacked - certified, attack: sound?.attack ?? 'none', witness: status, droppedCandidates };
  if (r.witnesses) out.eta = sound?.eta ?? null;
  if (r.exactRadius) out.exact = exactAt(core, net, x, y, r);
  return out;
}

/** The `exactRadius` summary over the points that have an exact bracket (nothing when none has). */
function exactSummary(points: PointAnalysis[]): { exactRadius?: AnalyseResult['exactRadius'] } {
  const ex = points.flatMap((p) => (p.exact ? [p.exact] : []));
  if (ex.length === 0) return {};
  const rel = ex.filter((e) => e.upper > 0 && Number.isFinite(e.upper)).map((e) => (e.upper - e.lower) / e.upper);
  return {
    exactRadius: {
      medianLower: median(ex.map((e) => e.lower)),
      medianUpper: median(ex.map((e) => e.upper)),
      maxRelWidth: rel.length ? Math.max(...rel) : 0,
      converged: ex.filter((e) => e.status === 'converged').length,
      points: ex.length,
    },
  };
}

/** Summary of per-point results (accuracy, robust accuracy at `radii`, gap statistics). */
export function summariseAnalysis(points: PointAnalysis[], radii: number[], criterion: Criterion, norm: NormName): AnalyseResult {
  const n = points.length;
  const correct = points.filter((p) => p.correct);
  const finite = correct.filter((p) => Number.isFinite(p.attacked));
  const gaps = finite.map((p) => p.gap);
  return {
    criterion,
    norm,
    n,
    accuracy: n ? correct.length / n : NaN,
    robust: radii.map((radius) => ({
      radius,
      certified: n ? correct.filter((p) => p.certified >= radius).length / n : NaN,
      attacked: n ? correct.filter((p) => p.attacked > radius).length / n : NaN,
    })),
    gap: { mean: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : NaN, median: median(gaps), max: gaps.length ? Math.max(...gaps) : NaN, points: gaps.length },
    medianCertified: median(correct.map((p) => p.certified)),
    medianAttacked: median(correct.map((p) => p.attacked)),
    certContradictions: correct.filter((p) => p.certified > p.attacked).length,
    witnessChecks: { nudged: points.filter((p) => p.witness === 'nudged').length, dropped: points.reduce((a, p) => a + p.droppedCandidates, 0) },
    ...exactSummary(points),
    points,
  };
}

/**
 * Analyse `net` on `data`: accuracy, per-point [certified, attacked] radius brackets, robust
 * accuracy at `options.radii`, gap statistics. `onPoint` is called after each point (progress).
 */
export function analyse(core: Core, net: Network, data: Dataset<Float64Array>, options: AnalyseOptions = {}, onPoint?: (p: PointAnalysis, done: number, total: number) => void): AnalyseResult {
  validateNetwork(net);
  const { n, d } = dataShape(data);
  if (d !== net.dims[0]) throw new CoreError('E_SHAPE', `data: points have ${d} coordinates, the network has ${net.dims[0]} inputs`);
  const r = resolve(net, data, options);
  const idx = r.points ?? Array.from({ length: n }, (_, i) => i);
  const out: PointAnalysis[] = [];
  const used = r.argmin ? negateOutputs(net) : net;
  for (const i of idx) {
    const p = pointWith(core, used, data, i, r);
    out.push(p);
    onPoint?.(p, out.length, idx.length);
  }
  return summariseAnalysis(out, r.radii, r.criterion, r.norm);
}
