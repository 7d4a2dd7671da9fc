/**
 * What an experiment family provides to the orchestrator. One definition per family in
 * experiments/<name>.ts, registered in experiments/registry.ts. The parameter validator and the
 * trial function come from core-wasm (single source of truth); the rest says how trial results
 * become counts and columns (worker side) and how counts and columns become a summary cell
 * (main-thread side).
 */
import type { Core } from '@paradox/core-wasm';
import type { CellSummary, Proportion } from '../summary/types.js';
import type { Cell } from '../spec/types.js';
import type { ExperimentName, Json } from '../worker/protocol.js';
import type { ColumnSource } from '../summary/columns.js';

/** The Philox stream coordinates of a batch. */
export interface BatchStream {
  seed: number;
  streamHi: number;
  tStart: number;
  count: number;
  /**
   * Called before running trials first..last (one trial, or a slice): the worker records it so a
   * batch stopped at its deadline names the trial that never finished. Never changes results.
   */
  onTrials?: (first: number, last: number) => void;
}

/** What a batch's trials produced, before encoding: integer counts and per-trial columns. */
export interface BatchData {
  counts: Record<string, number>;
  columns: Record<string, Float64Array>;
}

/** A proportion tracked by stopping rules: name plus how to read k and n from a cell's counts. */
export interface TrackedProportion {
  /** Human-readable name, e.g. `p+ at ε=0.1`. */
  name: string;
  k: number;
  n: number;
}

/** One experiment family. */
export interface ExperimentDefinition {
  name: ExperimentName;
  /** Every parameter name the experiment accepts (unknown names are spec errors). */
  paramKeys: readonly string[];
  /**
   * Validate and complete a cell's parameters. Throws core-wasm's CoreError with `path` (the
   * parameter name first), `allowed`, `value` and `choices`, from which the spec layer points at
   * the grid/zip/fixed entry.
   */
  normaliseParams(params: Record<string, Json>): Record<string, Json>;
  /**
   * Checks that need the run seed as well (e.g. a parameter valid only for the seed's data), or
   * the most trials a cell may run (`maxTrials`: the stopping rule's trials or maxTrials); throws
   * like normaliseParams.
   */
  check?(params: Record<string, Json>, seed: number, maxTrials?: number): void;
  /** Parameters that name files (relative values in a spec file are resolved next to it: spec/parse.ts `resolvePluginPaths`). */
  fileParams?: readonly string[];
  /** The plugin module a cell's trials load (its normalised params), or null when they load none. */
  pluginPath?(params: Record<string, Json>): string | null;
  /** What a plugin module of this experiment must be, for the spec error of one that fails to load (default: a paradox algorithm). */
  pluginExpected?: string;
  /** Import and check a plugin module (spec validation calls it once per module); throws a CoreError saying what is wrong. */
  loadPlugin?(path: string): Promise<void>;
  /** Worker side: run trials tStart..tStart+count−1 of a cell. Throws on a failing trial. */
  runBatch(core: Core, params: Record<string, Json>, stream: BatchStream): BatchData | Promise<BatchData>;
  /** Proportions the stopping rules watch, from a cell's accumulated counts. */
  tracked(params: Record<string, Json>, counts: Record<string, number>, trials: number): TrackedProportion[];
  /**
   * Run-level theorem guard at a checkpoint: returns a message when the counts contradict a
   * theorem beyond its interval (the run then fails naming the cell), else null.
   */
  guard(cell: Cell, counts: Record<string, number>, trials: number, seed: number, confidence: number): string | null;
  /** Main side: the summary.json entry of a cell from its counts and columns (in trial order). */
  summarise(input: SummariseInput): CellSummary;
}

/** Everything `summarise` gets. */
export interface SummariseInput {
  cell: Cell;
  /** The run seed. */
  seed: number;
  /** Trials counted (per sign). */
  trials: number;
  complete: boolean;
  counts: Record<string, number>;
  /** Reads a column of the counted trials in trial order. */
  columns: ColumnSource;
  confidence: number;
  /** Builds a Proportion (all intervals at the run's confidence). */
  proportion(k: number, n: number): Proportion;
  /** Extra per-cell fields the orchestrator adds (stop reason, …) are merged by the caller. */
}
