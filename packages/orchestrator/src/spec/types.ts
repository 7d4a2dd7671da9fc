/**
 * The normalised sweep spec: what `normaliseSpec` returns, what is stored as `spec.json` in the
 * run directory, and (minus the execution settings) what is hashed. The zod schema in
 * spec/schema.ts is the single source of truth for validation and documentation; these types
 * mirror its output.
 */
import type { BackendName } from '../backends/types.js';
import type { ExperimentName, Json } from '../worker/protocol.js';

/** A stopping rule, evaluated per cell at checkpoints (every `checkEvery` trials) in trial order. */
export type StopRule =
  | {
      /** Run exactly `trials` trials per cell and sign. */
      rule: 'fixed';
      trials: number;
    }
  | {
      /** Stop when every tracked proportion's Clopper–Pearson half-width is ≤ `halfWidth`. */
      rule: 'ci-halfwidth';
      halfWidth: number;
      minTrials: number;
      maxTrials: number;
      checkEvery: number;
    }
  | {
      /** Wald SPRT per tracked proportion, H0: p ≥ 1/2 + delta vs H1: p ≤ 1/2. */
      rule: 'sprt';
      delta: number;
      alpha: number;
      beta: number;
      minTrials: number;
      maxTrials: number;
      checkEvery: number;
    }
  | {
      /** Stop when every tracked proportion's anytime-valid confidence sequence is ≤ `halfWidth` wide on each side. */
      rule: 'confidence-sequence';
      halfWidth: number;
      minTrials: number;
      maxTrials: number;
      checkEvery: number;
    };

/** The normalised spec, keys in canonical order. */
export interface NormalisedSpec {
  /** Run name (summary.json `run.name`). */
  name: string;
  experiment: ExperimentName;
  /** Integer in [0, 2^53). */
  seed: number;
  /** Cartesian axes, in the order written (the order sets the cell order; first varies slowest). */
  grid: Record<string, Json[]>;
  /** Paired axes: equal-length lists, the i-th values go together; varies fastest. */
  zip: Record<string, Json[]>;
  /** Parameters shared by every cell, keys sorted. */
  fixed: Record<string, Json>;
  stop: StopRule;
  /** Confidence level of every reported interval. */
  confidence: number;
  /** Execution settings: not hashed, may change on resume, never change results. */
  backend: BackendName;
  workers: number | 'auto';
  batch: number | 'auto';
  /**
   * Wall-clock limit of one batch in seconds (absent: 20× the cell's median batch time, at least
   * 10 s; see run/scheduler.ts). An execution setting: not hashed, never changes results.
   */
  batchTimeout?: number;
  /**
   * Redis URL for `backend: bullmq` (`redis://` or `rediss://`). An execution setting like
   * `backend`; the copy stored in the run directory has its password replaced by `***`.
   */
  redis?: string;
}

/** A spec as users write it (YAML/JSON) before validation. */
export type SpecInput = Record<string, unknown>;

/** One cell of the sweep, as expanded from grid × zip over fixed. */
export interface Cell {
  /** Position in grid order (0-based). */
  index: number;
  /**
   * `experiment:` + canonical JSON of `params` (keys sorted, defaults filled), each file parameter
   * replaced by its path-independent identity (file name and SHA-256: spec/file-identity.ts).
   */
  key: string;
  /** hash32(key): the Philox streamHi of this cell's trials. */
  hash32: number;
  /** The axis values that define the cell. */
  axes: Record<string, Json>;
  /** Every parameter of the cell, validated, defaults filled, keys sorted. */
  params: Record<string, Json>;
}
