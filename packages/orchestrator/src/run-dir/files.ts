/**
 * The files of a run directory, by role: the one list every package reads (the store, the
 * summary writer, the CLI's manifest, viz's report) instead of spelling file names itself.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileError } from '../errors.js';

/** The name of every file a run directory holds, by role (the one list the store, summary writer, CLI and viz use). */
export const RUN_FILES = Object.freeze({
  /** The normalised spec (pretty JSON; a Redis password replaced by `***`). */
  spec: 'spec.json',
  /** The run database (SQLite, WAL; `-wal` and `-shm` beside it while open). */
  store: 'run.sqlite',
  /** The summary (`paradox-summary/1`), written at the end of every session. */
  summary: 'summary.json',
  /** The summary flattened to CSV. */
  summaryCsv: 'summary.csv',
  /** In a multi-spec run directory: which part lives in which subdirectory (`paradox-runs/1`). */
  manifest: 'paradox-runs.json',
  /** The HTML report viz writes into a run directory. */
  report: 'report.html',
});

/**
 * Write a file atomically: a temporary file beside it (`<path>.tmp-<pid>`), renamed over `path`.
 * A kill never leaves half a file, and a failed write (a full disk, a read-only directory)
 * removes the temporary file, then throws E_FS naming `path` and the cause (errors.ts fileError).
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fileError(e, path, 'write it');
  }
}
