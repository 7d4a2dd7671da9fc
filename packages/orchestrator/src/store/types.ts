/**
 * Read access to a run directory's store (export, report): the store layer's own types (api.ts
 * re-exports them), so the store can be read without the package facade.
 */
import type { NormalisedSpec } from '../spec/types.js';

/** A per-trial row for export: the cell, the trial index and every column value. */
export interface TrialRow {
  cellIndex: number;
  trial: number;
  /** Column name → value (NaN when the trial has no value for it). */
  values: Record<string, number>;
}

/** A stored batch, for export and diagnostics. */
export interface BatchRow {
  cellIndex: number;
  batchIndex: number;
  trialStart: number;
  trialCount: number;
  counts: Record<string, number>;
  worker: string;
  trialsMs: number;
  attempt: number;
}

/** Read access to a run directory's store (export, report). */
export interface RunStoreReader {
  /** The stored normalised spec. */
  readonly spec: NormalisedSpec;
  /** SHA-256 of the spec's result-determining part. */
  readonly specHash: string;
  /** Cells in grid order with their status. */
  cells(): Array<{ index: number; key: string; axes: Record<string, unknown>; params: Record<string, unknown>; trialsDone: number; done: boolean }>;
  /** Stored batches of a cell (or of every cell), in trial order. */
  batches(cellIndex?: number): BatchRow[];
  /** Column names stored for a cell. */
  columns(cellIndex: number): string[];
  /** Per-trial rows of a cell in trial order, streamed (constant memory), limited to the counted trials. */
  trials(cellIndex: number): IterableIterator<TrialRow>;
  /** Check every stored blob against its SHA-256 (E_STORE naming file, cell, column and batch of a damaged one). */
  verify(): void;
  /** Close the database. */
  close(): void;
}
