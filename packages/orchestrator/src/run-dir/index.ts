/**
 * `@paradox/orchestrator/run-dir`: what a run directory holds and how to read it — the file names
 * (`RUN_FILES`), the manifest of multi-spec runs, the list of runs in a directory, and read access
 * to a run's store. No execution code (no worker threads, no Redis client) is loaded.
 */
export { RUN_FILES, writeFileAtomic } from './files.js';
export { partOf, readManifest, recordPartRunId, writeManifest, type Manifest, type PartOf } from './manifest.js';
export { listRuns, type RunEntry } from './list.js';
export { openRunStore } from '../store/reader.js';
export type { BatchRow, RunStoreReader, TrialRow } from '../store/types.js';
