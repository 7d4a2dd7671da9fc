/**
 * The published `Algorithm` interface (SPEC §3.4): what a training algorithm is allowed to see.
 *
 * An algorithm gets an `AlgorithmContext` and returns a network of the class NN_(d,W,1). The
 * context is the *whole* world of the algorithm: the dimensions, the penalty λ, its bit budget,
 * its options, a random stream and the oracle `read(n)`. It never contains the sign of the pair,
 * K, the seed or any exact data value, and every member is a closure or a frozen plain value, so
 * there is no path from the context to the hidden input — a cheating plugin cannot be written
 * against this interface. Built-in algorithms implement the very same interface.
 *
 * A plugin module (`algorithm: plugin`, `plugin: ./my-algo.mjs` in a spec) default-exports an
 * `Algorithm`, or exports it as `algorithm`:
 *
 * ```ts
 * import type { Algorithm } from '@paradox/core-wasm/noncomputability';
 * const algorithm: Algorithm = {
 *   name: 'my-gd',
 *   run(ctx) {
 *     const data = ctx.read(ctx.budget);                       // read once, at full budget
 *     return ctx.tools.optimise(data, { method: 'gd', steps: 200, lr: 0.1 });
 *   },
 * };
 * export default algorithm;
 * ```
 *
 * Rules a plugin must follow: `run` is a deterministic function of its context (all randomness
 * from `ctx.rng`, no state kept between calls). The trial runner checks this where it can: on
 * inputs the oracle makes indistinguishable it requires bit-identical outputs and reports a
 * violation as an error.
 */
import type { Rng } from './rng.js';

/**
 * One answer of the oracle `read(n)` (the oracle itself: oracle.ts).
 * The arrays are fresh copies: mutating them changes nothing else.
 */
export interface OracleRead {
  /** The precision n that was asked for: every value is within 2^-n of the truth. */
  readonly n: number;
  /** Exponent of the common denominator 2^exp of the numerators (n, or finer for ι_0 values). */
  readonly exp: number;
  /** Numerators of x^j_k at j·d + k (r × d, row-major). */
  readonly xNum: readonly bigint[];
  /** Numerators of y^j. */
  readonly yNum: readonly bigint[];
  /** The values as f64 (what WebAssembly kernels get). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** True when every f64 above equals its dyadic exactly (always for n ≤ 52). */
  readonly exactF64: boolean;
}

/** A network of NN_(d,W,1) without biases: φ(z) = Σ_i v_i ρ(w_i·z). */
export interface AlgorithmNetwork {
  /** Hidden weights, row-major W×d: w_i at [i·d, i·d + d). */
  w: ArrayLike<number>;
  /** Output weights v_1..v_W. */
  v: ArrayLike<number>;
}

/** What `run` returns. */
export interface AlgorithmOutput {
  /** The network the algorithm outputs (shape W×d and W; finite values). */
  network: AlgorithmNetwork;
  /** Optimisation steps taken (0 for closed-form algorithms). */
  steps?: number;
}

/** Options of `tools.optimise` (defaults: the cell's parameters for built-ins; see below). */
export interface OptimiseOptions {
  /** `gd` (proximal, full batch), `sgd` (proximal, minibatch with shuffling), `adam` (proximal step), `anneal`. */
  method: 'gd' | 'sgd' | 'adam' | 'anneal';
  /** Steps per restart (default 500). */
  steps?: number;
  /** Learning rate for gd/sgd/adam (default 0.1). */
  lr?: number;
  /** `he` (default), `xavier`, `uniform` (±initScale), `normal` (σ = initScale). Ignored when `start` is given. */
  init?: 'he' | 'xavier' | 'uniform' | 'normal';
  /** Scale of `uniform`/`normal` init (default 0.5). */
  initScale?: number;
  /** Start from this network instead of a random init (then `restarts` must be 1). */
  start?: AlgorithmNetwork;
  /** Minibatch size for sgd (default 2). */
  batchSize?: number;
  /** Independent restarts; the lowest final cost on `data` wins (default 1). */
  restarts?: number;
  /** Adam β1, β2, ε (defaults 0.9, 0.999, 1e-8). */
  beta1?: number;
  beta2?: number;
  adamEps?: number;
  /** Annealing temperatures T0 → T1 and proposal scale (defaults 0.05, 1e-5, 0.1). */
  annealT0?: number;
  annealT1?: number;
  annealSigma?: number;
}

/** Result of `tools.optimise`: a ready `AlgorithmOutput` plus the cost the optimiser reached. */
export interface OptimiseResult extends AlgorithmOutput {
  network: { w: Float64Array; v: Float64Array };
  steps: number;
  /** C(θ) on the data passed in (Infinity when every restart diverged). */
  cost: number;
  /** True when every restart diverged (non-finite or exploding iterates). */
  diverged: boolean;
}

/** The single-coordinate reduced problem of one coordinate (see `AlgorithmTools.reduced`). */
export interface ReducedSolution {
  /** 0-based coordinate k. */
  coordinate: number;
  /** The minimising slope s ≥ 0 of s·z_k. */
  s: number;
  /** The cost of s·z_k on the data (with the cheapest single-neuron realisation). */
  cost: number;
}

/** Data as an algorithm holds it: the f64 values of an `OracleRead` (or any r×d / r arrays). */
export interface AlgorithmData {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Helpers that compute only from data the algorithm passes in (nothing hidden flows through them). */
export interface AlgorithmTools {
  /** Run an optimiser of the WebAssembly core on `data`; random init and moves come from `ctx.rng`. */
  optimise(data: AlgorithmData, options: OptimiseOptions): OptimiseResult;
  /**
   * Solve min_s (1/r)Σ_j (s x^j_k − y^j)² + 2λ√s over s ≥ 0 exactly (the cost of the best network
   * s·z_k with one neuron): the candidate minimiser of coordinate `k` (0-based).
   */
  reduced(data: AlgorithmData, k: number): ReducedSolution;
  /** C(θ) of a network on `data` (mean squared error + λ‖θ‖_1). */
  cost(data: AlgorithmData, network: AlgorithmNetwork): number;
  /** The width-W network equal to Σ_k slopes[k]·z_k on z ≥ 0 with the least ℓ1 norm per coordinate. */
  linear(slopes: ArrayLike<number>): { w: Float64Array; v: Float64Array };
}

/** Everything an algorithm can see. Frozen; `read` and `rng` are closures. */
export interface AlgorithmContext {
  /** Input dimension d. */
  readonly d: number;
  /** Hidden width W of the output network. */
  readonly width: number;
  /** Number of samples r. */
  readonly samples: number;
  /** The ℓ1 weight λ of the cost. */
  readonly lambda: number;
  /** The bit budget: `read(n)` accepts 1 ≤ n ≤ budget. */
  readonly budget: number;
  /** Algorithm options (built-ins: their parameters; plugins: the spec's `pluginOptions`), frozen. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The algorithm's random stream (the same for both inputs of a pair). */
  readonly rng: Rng;
  /** Read every data coordinate to precision 2^-n (counted: bits read are reported). */
  read(n: number): OracleRead;
  /** Computation helpers (WebAssembly optimisers, the reduced problem, the cost). */
  readonly tools: AlgorithmTools;
}

/** A training algorithm. Built-ins and plugins implement this. */
export interface Algorithm {
  /** Short name (reported; must be non-empty). */
  readonly name: string;
  /** One line on what it does. */
  readonly description?: string;
  /**
   * Optional check of `ctx.options` before any trial runs; throw an Error whose message says what
   * is wrong. Called once per batch.
   */
  validateOptions?(options: Readonly<Record<string, unknown>>): void;
  /** Run once on one input. Must be a deterministic function of `ctx`. May return a Promise (async runner only). */
  run(ctx: AlgorithmContext): AlgorithmOutput | Promise<AlgorithmOutput>;
}
