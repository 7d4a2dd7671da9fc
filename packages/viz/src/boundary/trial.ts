/**
 * One instability trial seen on the (x_1, x_2) plane: sample T and V from the stripes problem,
 * train a fixed-width network, construct ψ_T, attack and certify both, and evaluate both on a grid.
 * Browser-safe (no Node imports): the explorer's worker and the report both call it.
 */
import { forward, type Core } from '@paradox/core-wasm';
import {
  INSTABILITY_PARAM_KEYS,
  normaliseInstabilityParams,
  runInstabilityTrial,
  type InstabilityTrialDetail,
} from '@paradox/core-wasm/instability';
import type { InstabilityCell } from '../charts/types.js';
import type { AdversarialPoint, BoundaryPoint, BoundaryScene } from '../charts/decision-boundary.js';
import { gridInputs, stripesExtent, stripesOnGrid, type PlaneGrid } from './grid.js';

/** Parameters of `boundaryTrial` (the explorer's sliders). */
export interface BoundaryTrialParams {
  /** Stripes m ≥ 2. */
  m: number;
  /** Hidden gap μ ∈ (0, δ); values ≥ δ are lowered to 0.9 δ. */
  mu: number;
  /** Hidden width of the trained network `[2, width, 1]`. */
  width: number;
  /** Attack radius ρ (ℓ∞) for robust accuracy and the adversarial examples shown. */
  radius: number;
  /** Seed of the trial's random streams. */
  seed: number;
  /** Data margin δ ∈ (μ, 1/(4m)] (default 1/(8m), so the data spread over half of each stripe). */
  delta?: number;
  /** Training points |T| (default 4m) and validation points |V| (default 2m). */
  trainPoints?: number;
  valPoints?: number;
  /** Training epochs of full-batch Adam (default 1500, learning rate 0.05). */
  epochs?: number;
  /** Grid resolution (default 240 × 80). */
  nx?: number;
  ny?: number;
}

/** One classifier's outcome in a trial. */
export interface ClassifierView {
  /** Architecture `[N_0, …, N_L]`. */
  arch: number[];
  /** Outputs on the trial's grid (`gridInputs` layout). */
  values: Float64Array;
  accuracy: { train: number; val: number };
  /** Robust accuracy on T ∪ V at the radius: certified (lower) and attacked (upper). */
  robust: { cert: number; attack: number };
  /** Robustness-radius brackets [certified, attacked] over T ∪ V: minimum and median. */
  bracket: { min: [number, number]; median: [number, number] };
  /** Adversarial examples within the radius (from correctly classified points). */
  adversarial: AdversarialPoint[];
}

/** Everything the explorer and chart 6 show about one trial. */
export interface BoundaryTrial {
  params: BoundaryTrialParams;
  /** Trial index within the viz stream of the seed. */
  trial: number;
  /** Method that produced `network` (`train` in the explorer; the cell's method in reports). */
  method: string;
  /** The δ and μ actually used. */
  delta: number;
  mu: number;
  grid: PlaneGrid;
  points: BoundaryPoint[];
  counts: { train: number; val: number };
  network: ClassifierView;
  psi: ClassifierView;
  /** P(N) of the trained architecture. */
  pieceBound: number;
  /** Milliseconds the trial took. */
  ms: number;
}

/** The decision-boundary chart scene of a trial: true f, the trained network and ψ_T. */
export function boundaryScene(t: BoundaryTrial, lead?: string): BoundaryScene {
  return {
    note:
      (lead ? `${lead} ` : '') +
      `One trial (seed ${t.params.seed}, trial ${t.trial}): m = ${t.params.m}, μ = ${fmt(t.mu)}, δ = ${fmt(t.delta)}, |T| = ${t.counts.train}, |V| = ${t.counts.val}; crosses are adversarial examples within radius ${fmt(t.params.radius)}. Accuracy on V: ${fmt(t.network.accuracy.val)} (${t.method}) and ${fmt(t.psi.accuracy.val)} (ψ_T); robust accuracy at that radius, certified to attacked: ${fmt(t.network.robust.cert)}–${fmt(t.network.robust.attack)} and ${fmt(t.psi.robust.cert)}–${fmt(t.psi.robust.attack)}.`,
    grid: t.grid,
    m: t.params.m,
    points: t.points,
    panels: [
      { title: 'true f', values: stripesOnGrid(t.grid, t.params.m) },
      { title: `${t.method} ${t.network.arch.join('-')} (P(N) = ${t.pieceBound})`, values: t.network.values, adversarial: t.network.adversarial },
      { title: `ψ_T, width ${t.psi.arch[1] ?? 0}`, values: t.psi.values, adversarial: t.psi.adversarial },
    ],
  };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : '—';
}

/** Which stream of the seed explorer and report trials use (the orchestrator's cells use hash32 of the cell key). */
const STREAM_HI = 0x7669_7a00; // "viz\0"

function view(detail: InstabilityTrialDetail, values: Float64Array, X: Float64Array, d: number, radius: number): ClassifierView {
  const at = detail.radii[0];
  const adversarial: AdversarialPoint[] = [];
  const n = detail.points.attacked.length;
  for (let i = 0; i < n; i++) {
    // An attack radius in (0, ρ] means the attack flipped this point within the ball: show where
    // to. Radius 0 means the point is misclassified already; the background shows that.
    const a = detail.points.attacked[i]!;
    if (!(a > 0 && a <= radius)) continue;
    const x1 = X[i * d]!;
    const x2 = X[i * d + 1]!;
    adversarial.push({ x1: x1 + detail.points.eta[i * d]!, x2: x2 + detail.points.eta[i * d + 1]!, from: { x1, x2 } });
  }
  return {
    arch: [...detail.dims],
    values,
    accuracy: { train: detail.trainAccuracy, val: detail.valAccuracy },
    robust: { cert: at?.robustCert ?? NaN, attack: at?.robustAttack ?? NaN },
    bracket: {
      min: [detail.radius.certMin, detail.radius.attackMin],
      median: [detail.radius.certMedian, detail.radius.attackMedian],
    },
    adversarial,
  };
}

function positive(name: string, x: unknown, integer: boolean, min: number, max: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
    throw new RangeError(`boundaryTrial: params.${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(x)}`);
  }
  return x;
}

/**
 * Run one trial in core-wasm: T and V from the stripes problem (stream (seed, trial 0) of a fixed
 * viz stream), a `[2, width, 1]` network trained by full-batch Adam on the squared loss, and ψ_T
 * built from the same T (the same stream gives the same data); both are attacked and certified at
 * radius ρ and evaluated on a grid of the (x₁, x₂) plane. Throws core-wasm's `CoreError` on bad
 * input.
 */
export function boundaryTrial(core: Core, params: BoundaryTrialParams): BoundaryTrial {
  const m = positive('m', params.m, true, 2, 1000);
  const width = positive('width', params.width, true, 1, 4096);
  const radius = positive('radius', params.radius, false, Number.MIN_VALUE, 0.5);
  const seed = positive('seed', params.seed, true, 0, Number.MAX_SAFE_INTEGER);
  // δ = 1/(4m), the largest margin allowed, collapses each stripe's support to one point; half of
  // it leaves the data room to spread along x₁.
  const delta = params.delta ?? 1 / (8 * m);
  // μ must stay below δ; the explorer's slider can ask for more, so lower it rather than fail.
  const mu = Math.min(positive('mu', params.mu, false, Number.MIN_VALUE, 0.5), 0.9 * delta);
  const common = {
    d: 2,
    m,
    delta,
    mu,
    r: params.trainPoints ?? 4 * m,
    s: params.valPoints ?? 2 * m,
    epochs: params.epochs ?? 1500,
    lr: 0.05,
    radii: [radius],
  };
  return planeTrial(core, { ...common, method: 'train', hidden: [width] }, common, { ...params }, seed, params.nx, params.ny);
}

/**
 * Replay one trial of an instability cell on the plane, for the report's decision-boundary chart:
 * the cell's own parameters (those core-wasm knows) and method, plus ψ_T on the same data, with
 * robust accuracy and adversarial examples at radius μ.
 */
export function cellBoundaryTrial(
  core: Core,
  cell: InstabilityCell,
  seed: number,
  options: { nx?: number; ny?: number; trial?: number } = {},
): BoundaryTrial {
  const known = new Set<string>(INSTABILITY_PARAM_KEYS);
  const base: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(cell.params)) if (known.has(k)) base[k] = v;
  // The summary states the architecture; hidden widths and d follow from it when params omit them.
  if (cell.arch !== null && base['hidden'] === undefined) base['hidden'] = cell.arch.slice(1, -1);
  if (cell.arch !== null && base['d'] === undefined) base['d'] = cell.arch[0];
  const p = normaliseInstabilityParams({ ...base, method: cell.method, radii: [cell.mu] });
  const { method: _method, hidden: _hidden, ...common } = p;
  const width = p.method === 'train' || p.method === 'adversarial-train' ? (p.hidden[0] ?? 1) : Math.max(1, cell.width.median);
  const shown: BoundaryTrialParams = { m: p.m, mu: p.mu, width, radius: cell.mu, seed, delta: p.delta, trainPoints: p.r, valPoints: p.s, epochs: p.epochs };
  return planeTrial(core, p as unknown as Record<string, unknown>, common, shown, seed, options.nx, options.ny, options.trial ?? 0);
}

function planeTrial(
  core: Core,
  netParams: Record<string, unknown>,
  common: Record<string, unknown>,
  shown: BoundaryTrialParams,
  seed: number,
  nx = 240,
  ny = 80,
  trial = 0,
): BoundaryTrial {
  const t0 = performance.now();
  const stream = { seed, streamHi: STREAM_HI, trial };
  const net = runInstabilityTrial(core, netParams, stream);
  const psi = runInstabilityTrial(core, { ...common, method: 'construct-stable' }, stream);
  const d = net.network.dims[0]!;
  const mu = Number(common['mu']);
  const radius = shown.radius;
  const extent = stripesExtent(mu);
  const h = Math.min(0.5, Math.max(extent.x2[1] - 0.5, radius * 1.2));
  const grid: PlaneGrid = { extent: { x1: [0, 1], x2: [0.5 - h, 0.5 + h] }, nx, ny };
  const inputs = gridInputs(grid, d);
  const X = new Float64Array([...net.train.x, ...net.val.x]);
  const points: BoundaryPoint[] = [];
  for (const [set, ps] of [['train', net.train], ['validation', net.val]] as const) {
    for (let i = 0; i < ps.y.length; i++) points.push({ x1: ps.x[i * d]!, x2: ps.x[i * d + 1]!, label: ps.y[i] === 1 ? 1 : 0, set });
  }
  return {
    params: shown,
    trial,
    method: String(netParams['method']),
    delta: Number(common['delta']),
    mu,
    grid,
    points,
    counts: { train: net.train.y.length, val: net.val.y.length },
    network: view(net, forward(core, net.network, inputs), X, d, radius),
    psi: view(psi, forward(core, psi.network, inputs), X, d, radius),
    pieceBound: net.pieceBound,
    ms: performance.now() - t0,
  };
}
