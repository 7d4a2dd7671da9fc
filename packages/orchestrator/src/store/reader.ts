/**
 * Read access to a run directory's SQLite store. Implementation lands in this folder.
 */
import type { RunStoreReader } from '../api.js';
import { OrchestratorError } from '../errors.js';

/** Open a run directory's store read-only (E_USAGE when `dir` is not a run directory). */
export function openRunStore(dir: string): RunStoreReader {
  void dir;
  throw new OrchestratorError('E_USAGE', 'openRunStore is not implemented yet (orchestrator work in progress)');
}
