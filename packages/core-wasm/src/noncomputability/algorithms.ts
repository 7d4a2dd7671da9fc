/**
 * The built-in algorithm library of SPEC §3.4. Each one is an `Algorithm` using nothing but its
 * context — the same interface a plugin gets — so the library doubles as worked examples.
 */
import type { Algorithm, AlgorithmContext, AlgorithmOutput, AlgorithmTools, OptimiseOptions, OracleRead, ReducedSolution } from './algorithm.js';
import type { Rng } from './rng.js';

/** Option keys passed from the cell parameters to the built-in optimisers. */
const OPTIMISER_KEYS = ['steps', 'lr', 'init', 'initScale', 'batchSize', 'beta1', 'beta2', 'adamEps', 'annealT0', 'annealT1', 'annealSigma'] as const;

function optimiserOptions(ctx: AlgorithmContext, method: OptimiseOptions['method'], restarts = 1): OptimiseOptions {
  return optionsFrom(ctx.options, method, restarts);
}

function optionsFrom(options: Readonly<Record<string, unknown>>, method: OptimiseOptions['method'], restarts: number): OptimiseOptions {
  const o: Record<string, unknown> = { method, restarts };
  for (const k of OPTIMISER_KEYS) if (options[k] !== undefined) o[k] = options[k];
  return o as unknown as OptimiseOptions;
}

/** Optimiser method and restarts of the `restarts` algorithm for its options (`inner`, `restarts`). */
function restartsPlan(options: Readonly<Record<string, unknown>>): { method: OptimiseOptions['method']; R: number } {
  const R = options.restarts;
  return { method: (options.inner ?? 'gd') as OptimiseOptions['method'], R: typeof R === 'number' ? R : 8 };
}

/**
 * For the built-in algorithms that read once at their budget and hand the data to
 * `tools.optimise` (gd, sgd, adam, anneal, restarts): the options of that one call, given the
 * cell's `ctx.options`; undefined for every other algorithm. The batched trial runner uses it to
 * run such trials without building a context per run, with exactly the call the algorithm makes.
 */
export function builtInOptimiseCall(alg: Algorithm, options: Readonly<Record<string, unknown>>): OptimiseOptions | undefined {
  if (alg === restarts) {
    const p = restartsPlan(options);
    return optionsFrom(options, p.method, p.R);
  }
  const method = OPTIMISER_METHOD.get(alg);
  return method ? optionsFrom(options, method, 1) : undefined;
}

function optimiser(name: string, method: OptimiseOptions['method'], description: string): Algorithm {
  return Object.freeze({
    name,
    description,
    run(ctx: AlgorithmContext): AlgorithmOutput {
      const data = ctx.read(ctx.budget);
      return ctx.tools.optimise(data, optimiserOptions(ctx, method));
    },
  });
}

/** The two candidate minimisers s·z_1 and s·z_2 of the data read (coordinates 0 and 1). */
function candidates(tools: PlanTools, data: OracleRead): [ReducedSolution, ReducedSolution] {
  return [tools.reduced(data, 0), tools.reduced(data, 1)];
}

function answer(d: number, tools: PlanTools, c: ReducedSolution): AlgorithmOutput {
  const slopes = new Float64Array(d);
  slopes[c.coordinate] = c.s;
  return { network: tools.linear(slopes), steps: 0 };
}

/** A fair coin from the algorithm's stream. */
function coinFlip(rng: Rng): number {
  return rng.nextU32() & 1;
}

const gd = optimiser('gd', 'gd', 'proximal full-batch gradient descent on C from a random init');
const sgd = optimiser('sgd', 'sgd', 'minibatch proximal SGD with reshuffling every epoch');
const adam = optimiser('adam', 'adam', 'Adam with a proximal ℓ1 step in its diagonal metric');
const anneal = optimiser('anneal', 'anneal', 'simulated annealing over θ; returns the best point visited');
const OPTIMISER_METHOD = new Map<Algorithm, OptimiseOptions['method']>([[gd, 'gd'], [sgd, 'sgd'], [adam, 'adam'], [anneal, 'anneal']]);

const restarts: Algorithm = Object.freeze({
  name: 'restarts',
  description: 'R random restarts of the inner optimiser; returns the lowest cost on the data read',
  run(ctx: AlgorithmContext): AlgorithmOutput {
    const data = ctx.read(ctx.budget);
    const p = restartsPlan(ctx.options);
    return ctx.tools.optimise(data, optimiserOptions(ctx, p.method, p.R));
  },
});

/** The tools a closed-form plan uses. */
type PlanTools = Pick<AlgorithmTools, 'reduced' | 'linear'>;

/**
 * A closed-form built-in (coin, hedge, exact-read) as data: after its one read at the budget, a
 * run returns one of a few outputs that depend on the read only, and the run's stream picks which.
 * `run(ctx)` is `output(pick(ctx.rng))`; the batched trial runner builds the plan once per sign of
 * a cell and, per trial, only draws the pick from the trial's stream — the same draws, so the same
 * output. Outputs are built on first use (as the run builds only the one it returns).
 */
export interface ClosedFormPlan {
  /** Number of outputs. */
  readonly size: number;
  /** Which output a run whose stream is `rng` returns (draws from `rng` exactly as the run does). */
  pick(rng: Rng): number;
  /** Output `i` (built on first use and kept). */
  output(i: number): AlgorithmOutput;
}

function plan(outputs: ReadonlyArray<() => AlgorithmOutput>, pick: (rng: Rng) => number): ClosedFormPlan {
  const built: Array<AlgorithmOutput | undefined> = [];
  return { size: outputs.length, pick, output: (i) => (built[i] ??= outputs[i]!()) };
}

type PlanFn = (d: number, tools: PlanTools, data: OracleRead) => ClosedFormPlan;

/** The plans of the closed-form built-ins, by algorithm object. */
const CLOSED_FORM = new Map<Algorithm, PlanFn>();

function closedForm(name: string, description: string, makePlan: PlanFn): Algorithm {
  const alg: Algorithm = Object.freeze({
    name,
    description,
    run(ctx: AlgorithmContext): AlgorithmOutput {
      const p = makePlan(ctx.d, ctx.tools, ctx.read(ctx.budget));
      return p.output(p.pick(ctx.rng));
    },
  });
  CLOSED_FORM.set(alg, makePlan);
  return alg;
}

const coin = closedForm('coin', 'the candidate minimiser of coordinate 1 or 2, chosen by a fair coin (1/2 on both inputs)', (d, tools, data) => {
  const c = candidates(tools, data);
  return plan([() => answer(d, tools, c[0]), () => answer(d, tools, c[1])], coinFlip);
});

const hedge = closedForm('hedge', 'deterministic (s̃/2)(z_1 + z_2): ε_B-close to both minimisers of the pair', (d, tools, data) => {
  const [c1, c2] = candidates(tools, data);
  const s = c2.cost < c1.cost ? c2.s : c1.s;
  return plan(
    [
      () => {
        const slopes = new Float64Array(d);
        slopes[0] = s / 2;
        slopes[1] = s / 2;
        return { network: tools.linear(slopes), steps: 0 };
      },
    ],
    () => 0,
  );
});

/** Σ_j q_jk in exact arithmetic (numerators over the read's common denominator). */
function columnSum(data: OracleRead, d: number, k: number): bigint {
  let acc = 0n;
  for (let j = 0; j < data.yNum.length; j++) acc += data.xNum[j * d + k]!;
  return acc;
}

const exactRead = closedForm('exact-read', 'solves the single-coordinate problem for every coordinate and returns the best (ties by a fair coin)', (d, tools, data) => {
  const sols: ReducedSolution[] = [];
  for (let k = 0; k < d; k++) sols.push(tools.reduced(data, k));
  const bestCost = Math.min(...sols.map((c) => c.cost));
  // Costs within f64 rounding of the best are ties in floating point (beyond ~50 bits the f64
  // images of coordinates 1 and 2 coincide). On data x^j = c_j a the reduced minimum is strictly
  // decreasing in a_k (h depends on a_k only through the penalty 2λ√(t/a_k)), so the exact column
  // sums Σ_j q_jk decide such ties; only exactly equal columns — what the adversary produces for
  // n ≤ K — are left to a fair coin.
  let tied = sols.filter((c) => c.cost - bestCost <= 1e-14 * Math.abs(bestCost));
  if (tied.length > 1) {
    const sums = tied.map((c) => columnSum(data, d, c.coordinate));
    const top = sums.reduce((a, b) => (b > a ? b : a));
    tied = tied.filter((_, i) => sums[i] === top);
  }
  const n = tied.length;
  return plan(
    tied.map((c) => () => answer(d, tools, c)),
    n === 1 ? () => 0 : (rng) => rng.below(n),
  );
});

/**
 * The closed-form plan of a built-in algorithm (coin, hedge, exact-read), or undefined for every
 * other algorithm (optimisers, escalate — whose reads depend on what it read —, plugins).
 */
export function closedFormPlan(alg: Algorithm): PlanFn | undefined {
  return CLOSED_FORM.get(alg);
}

/**
 * The sign of a_1 − a_2 as certified by one read: +1 or −1 when some sample's coordinates 1 and 2
 * differ by more than the two read errors (2·2^-n), 0 when the read cannot tell. Exact (BigInt).
 */
export function certifiedOrder(data: OracleRead, d: number): 1 | -1 | 0 {
  const margin = 2n << BigInt(data.exp - data.n); // 2·2^-n in units of 2^-exp
  for (let j = 0; j < data.yNum.length; j++) {
    const diff = data.xNum[j * d]! - data.xNum[j * d + 1]!;
    if (diff > margin) return 1;
    if (-diff > margin) return -1;
  }
  return 0;
}

const escalate: Algorithm = Object.freeze({
  name: 'escalate',
  description: 'reads 8, 16, 32, … bits and finally its whole budget until the sign of a_1 − a_2 is certain, then answers; else falls back to coin',
  run(ctx: AlgorithmContext): AlgorithmOutput {
    const B = ctx.budget;
    let n = Math.min(8, B);
    for (;;) {
      const data = ctx.read(n);
      const order = certifiedOrder(data, ctx.d);
      if (order !== 0) return answer(ctx.d, ctx.tools, ctx.tools.reduced(data, order === 1 ? 0 : 1));
      if (n === B) return answer(ctx.d, ctx.tools, candidates(ctx.tools, data)[coinFlip(ctx.rng)]!);
      n = Math.min(2 * n, B);
    }
  },
});

const BUILT_INS: readonly Algorithm[] = [gd, sgd, adam, restarts, anneal, coin, hedge, exactRead, escalate];

/** Names of the built-in algorithms. */
export const BUILT_IN_ALGORITHMS: readonly string[] = Object.freeze(BUILT_INS.map((a) => a.name));

/** The built-in algorithm of that name, or undefined. */
export function builtInAlgorithm(name: string): Algorithm | undefined {
  return BUILT_INS.find((a) => a.name === name);
}
