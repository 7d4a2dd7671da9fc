/**
 * Running and resuming sweeps. Implementation lands in this folder; these are the public signatures.
 */
import type { ResumeOptions, RunOptions, RunResult } from '../api.js';
import { OrchestratorError } from '../errors.js';
import type { NormalisedSpec, SpecInput } from '../spec/types.js';

/**
 * Run a sweep into a new run directory. Resolves when every cell is done (`complete`) or the
 * signal fired (`cancelled`, resumable). Throws SpecError (exit 2), OrchestratorError E_USAGE
 * (exit 2), TrialError (a batch failed or a theorem guard fired: exit 1, run left resumable).
 */
export async function runSweep(spec: SpecInput | NormalisedSpec | string, options: RunOptions): Promise<RunResult> {
  void [spec, options];
  throw new OrchestratorError('E_USAGE', 'runSweep is not implemented yet (orchestrator work in progress)');
}

/** Finish an interrupted run: re-runs only missing batches; the result equals an uninterrupted run's bit for bit. */
export async function resumeRun(dir: string, options: ResumeOptions = {}): Promise<RunResult> {
  void [dir, options];
  throw new OrchestratorError('E_USAGE', 'resumeRun is not implemented yet (orchestrator work in progress)');
}
