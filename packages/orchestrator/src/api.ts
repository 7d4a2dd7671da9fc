/**
 * The public programmatic API of the orchestrator: what the CLI, the end-to-end tests and users
 * call. Everything else in the package is internal.
 *
 * ```ts
 * const spec = await loadSpec('sweep.yaml');            // SpecError (exit 2) on any problem
 * const res = await runSweep(spec, { outDir: 'runs/x', onEvent: (e) => bar.update(e) });
 * if (res.status === 'cancelled') console.log(`resume with: paradox resume ${res.dir}`);
 * const summary = await readSummary(res.dir);
 * ```
 */
export type { ResumeOptions, RunOptions, RunResult } from './run/types.js';
export type { BatchRow, RunStoreReader, TrialRow } from './store/types.js';
export { parseSpec, normaliseSpec, prepareSpec, specHash, expandCells } from './spec/index.js';
export { specJsonSchema } from './spec/schema.js';
export { loadSpec, loadSpecFile, type LoadSpecFileOptions, type SpecFileDocument } from './spec/load.js';
export { MAX_SPEC_BYTES, MAX_YAML_ALIASES } from './spec/parse.js';
export { absoluteFilePaths, rememberSpecDir, specDirOf, storedDir, storedFilePaths } from './spec/file-paths.js';
export { runSweep, resumeRun } from './run/run.js';
export { parseSummary, readSummary } from './summary/read.js';
export { RUN_FILES } from './run-dir/files.js';
export { listRuns, readManifest, writeManifest, type Manifest, type RunEntry } from './run-dir/index.js';
export { openRunStore } from './store/reader.js';
