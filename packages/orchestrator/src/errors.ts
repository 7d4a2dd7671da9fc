/**
 * Errors of the orchestrator. Every error carries a stable `code` (for programs) and an
 * `exitCode` (for the CLI: 2 = bad usage or bad spec, 1 = runtime failure), and a message that says
 * what was wrong, where, and what is allowed.
 */

import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Stable machine-readable codes of every error the orchestrator throws. */
export type OrchestratorErrorCode =
  | 'E_SPEC' // the sweep spec is malformed (SpecError; exit 2)
  | 'E_SPEC_SYNTAX' // the spec file cannot be read as a spec: too large, not UTF-8, not YAML/JSON, alias bomb, empty (exit 2)
  | 'E_USAGE' // bad options: unknown run directory, output directory not empty, ... (exit 2)
  | 'E_SPEC_MISMATCH' // resume with a spec that differs from the stored one (exit 2)
  | 'E_TRIAL' // a trial threw a deterministic error (exit 1)
  | 'E_WORKER_CRASH' // a worker died twice on the same batch (exit 1)
  | 'E_THEOREM' // a theorem guard failed: a bug, reported with cell and seed (exit 1)
  | 'E_DEADLINE' // a batch ran past its deadline (batchTimeout): its thread was stopped (exit 1)
  | 'E_BACKEND' // the execution backend failed (Redis unreachable, pool broken, ...) (exit 1)
  | 'E_STORE' // the run store is unreadable or inconsistent (exit 1)
  | 'E_LOCKED' // another live process is writing the run directory (exit 2)
  | 'E_RUN_MISMATCH' // the files of a run directory belong to different runs (a run.sqlite copied in) (exit 2)
  | 'E_FS'; // the file system refused: read-only, permission denied, disk full, not a directory (exit 2)

/** Base class: `code` is stable, `message` is for humans, `exitCode` is what the CLI exits with. */
export class OrchestratorError extends Error {
  override name = 'OrchestratorError';
  /** Stable machine-readable code. */
  readonly code: OrchestratorErrorCode;
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: 1 | 2;
  constructor(code: OrchestratorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.exitCode = code === 'E_SPEC' || code === 'E_SPEC_SYNTAX' || code === 'E_USAGE' || code === 'E_SPEC_MISMATCH' || code === 'E_LOCKED' || code === 'E_RUN_MISMATCH' || code === 'E_FS' ? 2 : 1;
  }
}

/** One problem in a spec: where (`path`, e.g. `grid.K[2]`), what was found, what is allowed. */
export interface SpecIssue {
  /** Dotted path with `[i]` indices, e.g. `stop.halfWidth` or `grid.K[2]`; `(root)` for the document. */
  path: string;
  /** The offending value (undefined when a required key is missing). */
  value: unknown;
  /** What is allowed there, in words (`an integer ≥ 1`, `one of: local, bullmq`). */
  allowed: string;
  /** The full sentence: `grid.K[2]: expected an integer ≥ 1, got -3`. */
  message: string;
  /**
   * The allowed words when the allowed values are a closed list (the keys of a mapping, the
   * experiment's parameter names, an enum's values): what a "did you mean" picks from.
   */
  choices?: readonly string[];
  /** Set when the problem is the key itself (the last part of `path`), not its value: an unknown key or parameter name. */
  unknownKey?: true;
  /** 1-based document of a multi-document spec file (loadSpecFile), when the file has several. */
  document?: number;
}

/** Problems listed one per line in a SpecError's message; the rest are counted (all stay in `issues`). */
export const MAX_LISTED_ISSUES = 20;

/**
 * The lines listing spec problems (two spaces, then each message, optionally decorated), at most
 * MAX_LISTED_ISSUES of them, then `… and N more problems` when there are more.
 */
export function issueLines(issues: readonly SpecIssue[], decorate: (i: SpecIssue) => string = (i) => i.message): string[] {
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((i) => `  ${decorate(i)}`);
  const rest = issues.length - MAX_LISTED_ISSUES;
  if (rest > 0) lines.push(`  … and ${rest} more problem${rest === 1 ? '' : 's'}`);
  return lines;
}

/** A malformed sweep spec. Lists every problem found, not only the first. */
export class SpecError extends OrchestratorError {
  override name = 'SpecError';
  /** Every problem found, in document order. */
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[], source?: string) {
    const where = source ? `${source}: ` : '';
    const head = issues.length === 1 ? 'invalid sweep spec' : `invalid sweep spec (${issues.length} problems)`;
    super('E_SPEC', `${where}${head}:\n${issueLines(issues).join('\n')}`);
    this.issues = issues;
  }
}

/** Where in a sweep a failure happened: enough to reproduce the one trial that failed. */
export interface FailureLocation {
  cellIndex: number;
  cellKey: string;
  /** The sweep seed (Philox key). */
  seed: number;
  /** Philox stream high word of the cell (hash32 of the cell key). */
  streamHi: number;
  batchIndex: number;
  trialStart: number;
  trialCount: number;
  /** The failing trial (stream low word) when known. */
  trial?: number;
}

/**
 * A batch failed: a trial threw (`E_TRIAL`), a worker crashed twice (`E_WORKER_CRASH`), a theorem
 * check failed (`E_THEOREM`) or the batch ran past its deadline (`E_DEADLINE`).
 */
export class TrialError extends OrchestratorError {
  override name = 'TrialError';
  /** Which cell, seed and trials. */
  readonly location: FailureLocation;
  /** The error as it came from the worker (name, code, message, stack). */
  readonly remote?: { name: string; code?: string; message: string; stack?: string };
  constructor(
    code: 'E_TRIAL' | 'E_WORKER_CRASH' | 'E_THEOREM' | 'E_DEADLINE',
    message: string,
    location: FailureLocation,
    remote?: { name: string; code?: string; message: string; stack?: string },
  ) {
    const trial = location.trial !== undefined ? `, trial ${location.trial}` : '';
    super(
      code,
      `${message}\n  cell ${location.cellIndex} ${location.cellKey}\n  seed ${location.seed}, streamHi ${location.streamHi}, ` +
        `batch ${location.batchIndex} (trials ${location.trialStart}..${location.trialStart + location.trialCount - 1})${trial}`,
    );
    this.location = location;
    if (remote) this.remote = remote;
  }
}

/** What the system's file error codes mean, in words. */
const SYSTEM_CAUSES: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  EMFILE: 'too many open files',
  EIO: 'an input/output error of the device',
};

/**
 * SQLite's result codes for the same conditions (better-sqlite3's `SqliteError.code`), mapped to
 * words; the corruption codes are not the environment's doing and are reported apart (E_STORE).
 */
const SQLITE_CAUSES: Record<string, string> = {
  SQLITE_FULL: 'no space left on the device (SQLITE_FULL)',
  SQLITE_READONLY: 'the database cannot be written: the file or its directory is read-only (SQLITE_READONLY)',
  SQLITE_CANTOPEN: 'the database file cannot be opened: its directory is missing, read-only or not writable (SQLITE_CANTOPEN)',
  SQLITE_PERM: 'permission denied (SQLITE_PERM)',
  SQLITE_IOERR: 'an input/output error (SQLITE_IOERR)',
};

/**
 * Why a file operation failed, in words with the system's code (`the file system is read-only
 * (EROFS)`), or undefined when `err` is not a file-system error.
 */
export function systemCause(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code in SYSTEM_CAUSES) return `${SYSTEM_CAUSES[code]} (${code})`;
  const sqlite = Object.keys(SQLITE_CAUSES).find((k) => code === k || code.startsWith(`${k}_`));
  if (sqlite === 'SQLITE_IOERR' && code === 'SQLITE_IOERR_WRITE') return 'an input/output error writing the database, often a full disk (SQLITE_IOERR_WRITE)';
  return sqlite ? (SQLITE_CAUSES[sqlite] as string) : undefined;
}

/** True for SQLite's "the file is damaged or not a database" errors. */
export function isCorruptDatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT_'));
}

/**
 * An error of the environment or of a damaged file, as the run, resume and export report it: the
 * path and the real cause — `E_FS` (exit 2) for a read-only, full, unwritable or missing place,
 * `E_STORE` (exit 1) for a damaged database — or `err` itself when it is neither (already an
 * OrchestratorError, or a bug).
 */
export function fileError(err: unknown, path: string, action: string): unknown {
  if (err instanceof OrchestratorError) return err;
  if (isCorruptDatabase(err)) {
    return new OrchestratorError(
      'E_STORE',
      `${path}: cannot ${action}: the database is damaged (${(err as Error).message}); restore it from a copy, or run the spec again into a new directory`,
      { cause: err },
    );
  }
  const cause = systemCause(err);
  if (cause === undefined) return err;
  return new OrchestratorError('E_FS', `${path}: cannot ${action}: ${cause}`, { cause: err });
}

/**
 * `mkdir -p` whose failure carries the real cause. Node's `mkdirSync(dir, { recursive: true })`
 * reports a read-only file system as ENOENT ("no such file or directory") and never returns on some
 * special file systems (/proc); this creates the missing levels one at a time, without
 * `recursive`, so the error is the one the system gave (EROFS, EACCES, ENOTDIR, ENOSPC, …).
 * Throws the raw system error; wrap it with `fileError`.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (statSync(at).isDirectory()) break;
      // A file where a directory is needed: let mkdir report it (EEXIST / ENOTDIR).
      break;
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'ENOENT') throw e;
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as { code?: unknown }).code === 'EEXIST' && statSync(d).isDirectory()) continue;
      throw e;
    }
  }
}
