/**
 * One instability trial seen on the (x_1, x_2) plane: sample T and V from the stripes problem,
 * train a fixed-width network, construct ψ_T, attack and certify both, and evaluate both on a grid.
 * Browser-safe (no Node imports): the explorer's worker and the report both call it.
 */
import type { Core } from '@paradox/core-wasm';
import type { AdversarialPoint, BoundaryPoint, BoundaryScene } from '../charts/decision-boundary.js';
import { stripesExtent, stripesOnGrid, type PlaneGrid } from './grid.js';

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
  /** Data margin δ ∈ (μ, 1/(4m)] (default 1/(4m)). */
  delta?: number;
  /** Training points |T| (default 4m) and validation points |V| (default 2m). */
  trainPoints?: number;
  valPoints?: number;
  /** Training epochs (default 400). */
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
  /** Adversarial examples within the radius. */
  adversarial: AdversarialPoint[];
}

/** Everything the explorer and chart 6 show about one trial. */
export interface BoundaryTrial {
  params: BoundaryTrialParams;
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
export function boundaryScene(t: BoundaryTrial): BoundaryScene {
  return {
    grid: t.grid,
    m: t.params.m,
    points: t.points,
    panels: [
      { title: 'true f', values: stripesOnGrid(t.grid, t.params.m) },
      { title: `trained ${t.network.arch.join('-')} (P(N) = ${t.pieceBound})`, values: t.network.values, adversarial: t.network.adversarial },
      { title: `ψ_T, width ${t.psi.arch[1] ?? 0}`, values: t.psi.values, adversarial: t.psi.adversarial },
    ],
  };
}

/** Run one trial in core-wasm. */
export function boundaryTrial(core: Core, params: BoundaryTrialParams): BoundaryTrial {
  void core;
  void stripesExtent;
  throw new Error(`boundaryTrial(${JSON.stringify(params)}): waiting for the core-wasm instability single-trial API`);
}
