/**
 * The `summary.json` document (format `paradox-summary/1`): what a run found, cell by cell.
 * This is the contract between the orchestrator (writer) and the CLI, viz and export (readers).
 * Every number in it is computed from exact integer counts and from per-trial values read in
 * trial order, so the file is byte-identical however the run was scheduled (workers, batch sizes,
 * backend, interruptions and resumes). Fields marked optional were added after the first draft of
 * this contract; the orchestrator always writes them.
 */
import type { StopReason } from '../stats/stopping.js';

/** A two-sided confidence interval `[lo, hi]`. */
export type Interval = [lo: number, hi: number];

/** Summary statistics of a real-valued quantity over trials (Welford moments, exact quantiles). */
export interface Moments {
  /** Number of finite observations. */
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator; 0 when n < 2). */
  sd: number;
  min: number;
  q25: number;
  median: number;
  q75: number;
  max: number;
}

/** A binomial proportion with its intervals at the run's confidence level. */
export interface Proportion {
  /** Successes. */
  k: number;
  /** Trials. */
  n: number;
  /** k / n (NaN-free: 0 when n = 0, and `n` tells). */
  p: number;
  /** Clopper–Pearson exact interval. */
  cp: Interval;
  wilson: Interval;
  hoeffding: Interval;
  /**
   * Anytime-valid confidence sequence (beta-binomial mixture) at the run's confidence: valid even
   * though an adaptive stopping rule chose n. Prefer it to `cp` under ci-halfwidth, sprt and
   * confidence-sequence stopping.
   */
  cs?: Interval;
}

/** Per-ε results of a noncomputability cell. */
export interface EpsilonRow {
  eps: number;
  /** True when ε < ε_B (no network is ε-close to both minimisers of the pair). */
  belowBreakdown: boolean;
  plus: Proportion;
  minus: Proportion;
  /** min(p̂⁺, p̂⁻) with a Bonferroni interval built from the two Clopper–Pearson intervals. */
  min: { p: number; ci: Interval };
  /** p̂⁺ + p̂⁻ with a Bonferroni interval. */
  sum: { p: number; ci: Interval };
}

/** What every cell of either experiment carries. */
export interface CellCommon {
  /** Canonical cell key (stable string of the cell's parameters). */
  cellKey: string;
  /**
   * The grid/zip axis values that define this cell (e.g. algorithm, K, readBits). A file (a
   * plugin, network, data or property file) is named relative to the spec file's directory, as the
   * spec wrote it, never by absolute path (summary/build.ts).
   */
  axes: Record<string, string | number | boolean>;
  /** All parameters of the cell (axes merged over `fixed`, defaults filled; files named as in `axes`). */
  params: Record<string, unknown>;
  /** False when the run stopped before this cell finished (charts show it as missing). */
  complete: boolean;
  /** Why the cell stopped (null while incomplete). */
  stopReason?: StopReason | null;
  /** SPRT decisions per tracked proportion (only under `stop: {rule: sprt}`). */
  sprt?: Record<string, 'H0' | 'H1' | 'undecided'>;
}

/** One cell of a noncomputability sweep. */
export interface NoncomputabilityCell extends CellCommon {
  experiment: 'noncomputability';
  algorithm: string;
  K: number;
  readBits: number;
  /** s* of the pair and the breakdown epsilon ε_B = s* ÷ 2. */
  sStar: number;
  epsB: number;
  /** Trials per sign. */
  trials: number;
  eps: EpsilonRow[];
  /** dist(output, φ*) per sign. */
  dist: { plus: Moments; minus: Moments };
  bitsRead: Moments;
  cost: Moments;
  /**
   * Plugin cells only: runs (two per trial, `of` = 2 × trials) whose output network held a NaN
   * weight. They are recorded as diverged (no success); a plugin should not produce them.
   */
  pluginNaN?: { runs: number; of: number };
}

/** Robust accuracy at one radius: attack upper bound and certified lower bound. */
export interface RadiusRow {
  radius: number;
  /** Fraction of points where no attack succeeded (upper bound on true robust accuracy). */
  robustAttack: Moments;
  /** Fraction of points certified robust (lower bound). */
  robustCert: Moments;
}

/** One cell of an instability sweep. */
export interface InstabilityCell extends CellCommon {
  experiment: 'instability';
  method: string;
  m: number;
  mu: number;
  /** Architecture `[N_0, …, N_L]` for fixed methods; null for variable-width methods. */
  arch: number[] | null;
  /** P(N) of the architecture (mean over trials for variable-width methods). */
  pieceBound: Moments;
  trials: number;
  accuracy: { train: Moments; val: Moments };
  /** Share of trials whose network is correct on every point of T ∪ V. */
  accurate: Proportion;
  /**
   * Share of trials whose network is correct on every training point (zero training error): for
   * trained methods, how often the optimiser fitted T at all.
   */
  trainFit?: Proportion;
  /** Share of accurate trials whose network is unstable at radius μ at some data point. */
  accurateUnstable: Proportion;
  /** Share of data points unstable at radius μ (attack-based), per trial. */
  unstableShare: Moments;
  radii: RadiusRow[];
  /** Per-trial min and median of per-point radius brackets. */
  radius: { attackMin: Moments; attackMedian: Moments; certMin: Moments; certMedian: Moments; gapMedian: Moments };
  piecesMidline: Moments;
  stripesCovered: Moments;
  /** Width of the trained/constructed network (first hidden layer). */
  width: Moments;
  f3: { applies: number; holds: number; witnesses: Moments; predicted: Moments };
  /** Trials whose training diverged (NaN/inf): recorded outcome, excluded from the moments. */
  diverged: number;
  /**
   * With the `exactRadius` option: its settings and, per trial, sound ends of the min and the lower
   * median of the exact ℓ∞ radii of the first `points` training points (r ∈ [lower, upper] exactly;
   * an upper end is ∞ for a point robust up to the nearest stripe boundary), the largest relative
   * bracket width, and the points stopped by the node limit (`undecided`) or robust up to the cap
   * (`capped`). Absent without the option.
   */
  exactRadius?: {
    tol: number;
    maxNodes: number;
    points: number;
    minLower: Moments;
    minUpper: Moments;
    medianLower: Moments;
    medianUpper: Moments;
    maxRelWidth: Moments;
    undecided: Moments;
    capped: Moments;
  };
}

/** Robust accuracy of an analyse cell at one radius, from both ends. */
export interface AnalyseRadiusRow {
  radius: number;
  /** Points certified at this radius (lower bound on robust accuracy). */
  certified: Proportion;
  /** Correct points with no witness of norm ≤ radius (upper bound). */
  attacked: Proportion;
}

/** One cell of an analyse sweep (a network on a data set; one trial per data point). */
export interface AnalyseCell extends CellCommon {
  experiment: 'analyse';
  /** The network file, relative to the spec file's directory (as in `axes`). */
  network: string;
  /** The data file, relative to the spec file's directory. */
  data: string;
  norm: string;
  /** Points analysed. */
  trials: number;
  accuracy: Proportion;
  radii: AnalyseRadiusRow[];
  /** Over the correct points: certified radius, attacked radius and gap (finite values only). */
  certified: Moments;
  attacked: Moments;
  gap: Moments;
  /** Sound witness checks: points whose witness was nudged outward; f64 witnesses dropped. */
  witnessChecks: { nudged: number; dropped: number };
  /** Points whose certified radius exceeds the attacked one (0 unless a certificate is unsound). */
  certContradictions: number;
  /** Criterion score at each point (positive iff correct). */
  score: Moments;
}

/** One cell of a verify sweep: one VNN-LIB instance (a network and a property), one trial. */
export interface VerifyCell extends CellCommon {
  experiment: 'verify';
  /** The network file, relative to the spec file's directory (as in `axes`). */
  network: string;
  /** The property file, relative to the spec file's directory. */
  property: string;
  /** 1 once the instance has run, else 0. */
  trials: number;
  /** core-wasm `verify`'s verdict; null before the instance has run. */
  verdict: 'verified' | 'falsified' | 'unknown' | null;
  /** Why an undecided search stopped (null when decided or not run). */
  reason: 'time' | 'nodes' | 'memory' | null;
  /** The VNN-COMP result word: unsat (verified), sat (falsified), timeout (time limit), unknown (node or memory limit). */
  result: 'unsat' | 'sat' | 'timeout' | 'unknown' | null;
  /** Sub-boxes bounded. */
  nodes: number | null;
  /** For a falsified instance: the input whose exact outputs are unsafe, and its outputs (f64); both null otherwise. */
  counterexample: { x: number[] | null; y: number[] | null };
  /** The VNN-COMP result file's text (core-wasm `vnncompResult`: the word, and for sat the assignment). */
  vnncomp: string | null;
}

/** A cell of any experiment. */
export type CellSummary = NoncomputabilityCell | InstabilityCell | AnalyseCell | VerifyCell;

/** The experiment families a summary can hold. */
export type ExperimentKind = CellSummary['experiment'];

/** The whole `summary.json`. */
export interface Summary {
  format: 'paradox-summary/1';
  run: {
    name: string;
    experiment: ExperimentKind;
    /** SHA-256 of the normalised spec. */
    specHash: string;
    seed: number;
    /** Confidence level of every interval (e.g. 0.95). */
    confidence: number;
    /** True when every cell finished. */
    complete: boolean;
    cellsTotal: number;
    cellsComplete: number;
    trialsDone: number;
    /**
     * Trials a cell needs before it counts in the headline: the stopping rule's `minTrials`
     * (`trials` under the fixed rule). Unfinished cells with fewer are left out and counted.
     */
    minTrials?: number;
  };
  cells: CellSummary[];
  /** The headline numbers (summary/headline.ts `headlineOf`), as the screen and report show them. */
  headline?: HeadlineData;
}

// The headline (summary/headline.ts `headlineOf` computes it; summary.json carries it as `headline`).

/** One (cell, ε) row of a noncomputability sweep, as a headline quotes it. */
export interface PairPoint {
  /** min(p̂⁺, p̂⁻) at this ε. */
  p: number;
  /** Its interval at the run's confidence (Bonferroni from the two Clopper–Pearson intervals). */
  ci: Interval;
  K: number;
  readBits: number;
  eps: number;
  epsB: number;
  /** Trials per sign in the cell. */
  trials: number;
  /** Largest precision any trial of the cell read (null when not recorded). */
  bitsReadMax: number | null;
  cellKey: string;
}

/** Result II for one algorithm. */
export interface AlgorithmResult {
  algorithm: string;
  /** Cells of this algorithm counted in the headline. */
  cells: number;
  /**
   * Where Theorem H applies (reads hidden, ε < ε_B): the row with the largest min(p̂⁺, p̂⁻);
   * undefined when the algorithm has no such row.
   */
  hidden?: PairPoint;
  /** Rows where Theorem H applies whose whole interval lies above 1/2 (lower end > 1/2). */
  violations: PairPoint[];
  /** Where Theorem H does not apply (some read above K, or an honest oracle), ε < ε_B: the best row. */
  revealed?: PairPoint;
  /** At ε ≥ ε_B with hidden reads (each cell at its smallest such ε): the best row. */
  above?: PairPoint;
}

/** Result II of a run. */
export interface ResultII {
  algorithms: AlgorithmResult[];
  /** Smallest and largest ε_B over the counted cells (null when none). */
  epsB: [number, number] | null;
  /** Rows (cell, ε) where Theorem H applies and was checked. */
  checked: number;
  /** Of those, rows whose interval lies above 1/2 (should be 0). */
  violations: number;
  /** The row with the largest min(p̂⁺, p̂⁻) where the theorem applies, over all algorithms. */
  hidden?: PairPoint & { algorithm: string };
  /** The best row where it does not apply, over all algorithms. */
  revealed?: PairPoint & { algorithm: string };
  /** The best row at ε ≥ ε_B with hidden reads, over all algorithms: the jump. */
  above?: PairPoint & { algorithm: string };
  /**
   * The largest p̂⁺ + p̂⁻ where the theorem applies (here `p` and `ci` are the sum and its
   * interval). The paired design makes the counts obey k⁺ + k⁻ ≤ trials exactly, seed by seed;
   * the interval is for the probabilities and may reach past 1.
   */
  largestSum?: PairPoint & { algorithm: string; kPlus: number; kMinus: number };
  /**
   * Over the counted plugin cells: runs whose output network held a NaN weight, of all their runs
   * (absent when no counted cell runs a plugin).
   */
  pluginNaN?: { runs: number; of: number; cells: number };
  /** One sentence saying what the numbers show. */
  verdict: string;
}

/** Accurate networks unstable at radius μ, pooled over some cells. */
export interface UnstableShare {
  /** Accurate networks that were unstable at radius μ. */
  k: number;
  /** Accurate networks. */
  n: number;
  /** k / n (0 when n = 0). */
  p: number;
  /** Clopper–Pearson interval of the pooled share at the run's confidence. */
  ci: Interval;
  /** Trials (networks produced, accurate or not). */
  trials: number;
  /** Cells pooled. */
  cells: number;
}

/** What theory predicts for a group of networks. */
export type Prediction = 'unstable' | 'stable' | 'none';

/** One group of Result I. */
export interface InstabilityGroup {
  /**
   * `fixed-f3` trained fixed architectures with m − 1 > P(N); `fixed-no-f3` with m − 1 ≤ P(N);
   * `variable-trained` trained variable-width networks; `construct-stable` ψ_T (F2);
   * `shortcut` σ (F1).
   */
  kind: 'fixed-f3' | 'fixed-no-f3' | 'variable-trained' | 'construct-stable' | 'shortcut';
  /** Methods pooled (e.g. `train`, `adversarial-train`). */
  methods: string[];
  /** Architectures `[N_0, …, N_L]` pooled (empty for variable width). */
  archs: number[][];
  /** What theory predicts for the accurate networks of this group. */
  prediction: Prediction;
  unstable: UnstableShare;
  /** Trials whose network was accurate. */
  accurate: number;
  /** Trials whose network had zero training error (null when the summary does not record it). */
  zeroError: number | null;
}

/** One method/architecture line of Result I. */
export interface MethodResult {
  method: string;
  /** `[N_0, …, N_L]`, or null for variable-width methods. */
  arch: number[] | null;
  /** P(N) of the architecture (null for variable width). */
  pieceBound: number | null;
  /** Trials whose network was accurate, of trials. */
  accurate: { k: number; n: number };
  unstable: UnstableShare;
}

/** Result I of a run. */
export interface ResultI {
  /** Hidden gaps μ and stripe counts m of the counted cells, ascending. */
  mu: number[];
  m: number[];
  /** Non-empty groups, in the order listed in `InstabilityGroup.kind`. */
  groups: InstabilityGroup[];
  methods: MethodResult[];
  /**
   * Trainings (methods that train) that reached zero training error, of trainings; null when the
   * summary does not record it (summaries written before this field).
   */
  training: { zeroError: number; trainings: number; accurate: number } | null;
  /** F3 checks: accurate networks with every stripe observed and m − 1 > P(N), and how many held. */
  f3: { applies: number; holds: number };
  /** Trainings that diverged (recorded outcomes, excluded from the statistics). */
  diverged: number;
  /** One sentence saying what the numbers show. */
  verdict: string;
}

/** Everything the headline says, as data (summary.json `headline`, the `--json` headline event). */
export interface HeadlineData {
  name: string;
  experiment: ExperimentKind;
  complete: boolean;
  cellsComplete: number;
  cellsTotal: number;
  confidence: number;
  /** Cells left out because they have fewer trials than `minTrials` (null: unfinished cells). */
  excluded: { cells: number; minTrials: number | null };
  noncomputability?: ResultII;
  instability?: ResultI;
  /** Analyse runs: one entry per cell with analysed points (those the headline counts). */
  analyse?: AnalyseHeadline[];
  verify?: ResultV;
}

/** The headline numbers of one analyse cell (a network on a data set). */
export interface AnalyseHeadline {
  axes: Record<string, string | number | boolean>;
  network: string;
  data: string;
  points: number;
  accuracy: Proportion;
  /** Medians over the correct points (finite values); null when there are none. */
  certifiedMedian: number | null;
  attackedMedian: number | null;
  gapMedian: number | null;
  /** Correct points without any witness up to maxRadius. */
  unbroken: number;
  witnessChecks: { nudged: number; dropped: number };
  certContradictions: number;
}

/** The verify headline: how many instances each verdict had, and the sentence saying so. */
export interface ResultV {
  /** Instances run (cells with their trial counted). */
  instances: number;
  verified: number;
  falsified: number;
  /** Undecided instances, by the limit that stopped them. */
  unknown: { time: number; nodes: number; memory: number };
  /** The sentence the screen and report print, computed from these counts. */
  verdict: string;
}
