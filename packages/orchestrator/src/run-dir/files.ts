/**
 * The files of a run directory, by role: the one list every package reads (the store, the
 * summary writer, the CLI's manifest, viz's report) instead of spelling file names itself.
 */
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
