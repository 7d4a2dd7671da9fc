/**
 * The run store: one SQLite database per run directory (better-sqlite3, WAL), holding the cells,
 * the batches and their per-trial result columns. Each batch is committed in one transaction
 * together with its columns, so after a crash a batch is either entirely there or entirely absent;
 * the primary key (cell, batch) and the unique (cell, trial_start) make a second copy impossible,
 * and a batch overlapping any stored trial range of its cell is refused. A stored plan is only ever
 * extended (the auto-sizing ramp growing), never replaced. Each result blob carries its SHA-256,
 * verified whenever it is read. A writable store holds the directory's lease (store/lease.ts):
 * one writer per run directory.
 *
 * Layout of a run directory:
 *   spec.json     the normalised spec (pretty JSON)
 *   run.sqlite    this database (+ -wal, -shm while open)
 *   summary.json  written at the end of every session (complete or not)
 *   summary.csv   the same, flattened
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileError, OrchestratorError } from '../errors.js';
import { RUN_FILES } from '../run-dir/files.js';
import type { Cell, NormalisedSpec } from '../spec/types.js';
import type { BatchResult, Json } from '../worker/protocol.js';
import { columnBlob, decompressColumn } from '../worker/columns.js';
import type { BatchRow } from './types.js';
import { Lease } from './lease.js';

/** Format tag of the database; a store of another format is refused. */
export const STORE_FORMAT = 'paradox-run/1';
/** File name of the database inside a run directory. */
export const DB_FILE = RUN_FILES.store;
/** File name of the stored spec. */
export const SPEC_FILE = RUN_FILES.spec;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE cells (
  idx INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  hash32 INTEGER NOT NULL,
  axes TEXT NOT NULL,
  params TEXT NOT NULL,
  plan TEXT,
  stopped_at INTEGER,
  stop_reason TEXT
) STRICT;
CREATE TABLE batches (
  cell INTEGER NOT NULL REFERENCES cells(idx),
  idx INTEGER NOT NULL,
  trial_start INTEGER NOT NULL,
  trial_count INTEGER NOT NULL,
  counts TEXT NOT NULL,
  worker TEXT NOT NULL,
  trials_ms REAL NOT NULL,
  attempt INTEGER NOT NULL,
  PRIMARY KEY (cell, idx),
  UNIQUE (cell, trial_start)
) STRICT;
CREATE TABLE results (
  cell INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  name TEXT NOT NULL,
  length INTEGER NOT NULL,
  data BLOB NOT NULL,
  sha256 TEXT,
  PRIMARY KEY (cell, batch, name),
  FOREIGN KEY (cell, batch) REFERENCES batches(cell, idx)
) STRICT;
`;

/** A stored cell row. */
export interface CellRow {
  index: number;
  key: string;
  hash32: number;
  axes: Record<string, Json>;
  params: Record<string, Json>;
  /** Batch sizes (`{ramp, size}`), null until the cell's first batch is planned. */
  plan: { ramp: number[]; size: number | null } | null;
  stoppedAt: number | null;
  stopReason: string | null;
}

/** A cell's batch sizes as stored: the auto-sizing ramp, then the steady size (null while ramping). */
export interface StoredPlan {
  ramp: number[];
  size: number | null;
}

/** True when `next` keeps every batch `prev` planned (the ramp only grows, a fixed size stays). */
export function extendsPlan(prev: StoredPlan, next: StoredPlan): boolean {
  if (prev.size !== null) return next.size === prev.size && JSON.stringify(next.ramp) === JSON.stringify(prev.ramp);
  return next.ramp.length >= prev.ramp.length && prev.ramp.every((n, i) => next.ramp[i] === n);
}

/** SHA-256 (hex) of a stored blob. */
function digest(blob: Uint8Array): string {
  return createHash('sha256').update(blob).digest('hex');
}

/** The error for a blob whose checksum does not match (E_STORE, exit 1). */
function corruptBlob(path: string, cell: number, column: string, batch: number): OrchestratorError {
  return new OrchestratorError(
    'E_STORE',
    `${path}: stored column ${column} of cell ${cell}, batch ${batch} is corrupt (its checksum does not match: the file was altered or damaged on disk); ` +
      'restore run.sqlite from a copy, or run the spec again into a new directory',
  );
}

/** A stored batch row (the same shape the public reader returns). */
export type StoredBatch = BatchRow;

interface RawCell {
  idx: number;
  key: string;
  hash32: number;
  axes: string;
  params: string;
  plan: string | null;
  stopped_at: number | null;
  stop_reason: string | null;
}

interface RawBatch {
  cell: number;
  idx: number;
  trial_start: number;
  trial_count: number;
  counts: string;
  worker: string;
  trials_ms: number;
  attempt: number;
}

function cellFromRaw(r: RawCell): CellRow {
  return {
    index: r.idx,
    key: r.key,
    hash32: r.hash32,
    axes: JSON.parse(r.axes) as Record<string, Json>,
    params: JSON.parse(r.params) as Record<string, Json>,
    plan: r.plan === null ? null : (JSON.parse(r.plan) as { ramp: number[]; size: number | null }),
    stoppedAt: r.stopped_at,
    stopReason: r.stop_reason,
  };
}

function batchFromRaw(r: RawBatch): StoredBatch {
  return {
    cellIndex: r.cell,
    batchIndex: r.idx,
    trialStart: r.trial_start,
    trialCount: r.trial_count,
    counts: JSON.parse(r.counts) as Record<string, number>,
    worker: r.worker,
    trialsMs: r.trials_ms,
    attempt: r.attempt,
  };
}

/** An open run store. */
export class RunStore {
  readonly db: Database.Database;
  readonly dir: string;
  private readonly insertBatchTx: (result: BatchResult, attempt: number, plan?: StoredPlan) => boolean;
  private readonly setPlansTx: (plans: ReadonlyArray<readonly [number, StoredPlan]>) => void;
  /** The directory's write lease (absent for read-only stores). */
  private lease: Lease | undefined;

  private constructor(dir: string, db: Database.Database, lease?: Lease) {
    this.dir = dir;
    this.db = db;
    this.lease = lease;
    const same = db.prepare('SELECT trial_start, trial_count FROM batches WHERE cell = ? AND idx = ?');
    const overlap = db.prepare(
      'SELECT idx, trial_start, trial_count FROM batches WHERE cell = ? AND trial_start < ? AND trial_start + trial_count > ? LIMIT 1',
    );
    const insB = db.prepare(
      'INSERT INTO batches (cell, idx, trial_start, trial_count, counts, worker, trials_ms, attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insR = db.prepare('INSERT INTO results (cell, batch, name, length, data, sha256) VALUES (?, ?, ?, ?, ?, ?)');
    const getPlan = db.prepare('SELECT plan FROM cells WHERE idx = ?');
    const setPlan = db.prepare('UPDATE cells SET plan = ? WHERE idx = ?');
    const writePlan = (cellIndex: number, plan: StoredPlan): void => {
      const row = getPlan.get(cellIndex) as { plan: string | null } | undefined;
      if (!row) throw new OrchestratorError('E_STORE', `${dir}: no cell ${cellIndex} in the run database`);
      const prev = row.plan === null ? null : (JSON.parse(row.plan) as StoredPlan);
      if (prev && !extendsPlan(prev, plan)) {
        throw new OrchestratorError(
          'E_STORE',
          `${dir}: refusing to replace cell ${cellIndex}'s stored batch plan ${row.plan} with ${JSON.stringify(plan)} (was another process writing this run?)`,
        );
      }
      if (row.plan !== JSON.stringify(plan)) setPlan.run(JSON.stringify(plan), cellIndex);
    };
    // Every write transaction is BEGIN IMMEDIATE: it takes SQLite's write lock before its first
    // read (the lease check), waiting for it as long as the busy timeout allows. A deferred one
    // would take the lock only at its first write, and SQLite does not wait for a lock wanted by a
    // transaction that has already read: it fails at once with SQLITE_BUSY ("database is locked")
    // whenever another process holds the lock at that moment — as a second `paradox resume` does,
    // briefly, when it looks at the lease of this running one.
    this.setPlansTx = db.transaction((plans: ReadonlyArray<readonly [number, StoredPlan]>) => {
      this.lease?.assertHeld();
      for (const [cellIndex, plan] of plans) writePlan(cellIndex, plan);
    }).immediate;
    this.insertBatchTx = db.transaction((r: BatchResult, attempt: number, plan?: StoredPlan): boolean => {
      this.lease?.assertHeld();
      const end = r.trialStart + r.trialCount;
      const twin = same.get(r.cellIndex, r.batchIndex) as { trial_start: number; trial_count: number } | undefined;
      if (twin && twin.trial_start === r.trialStart && twin.trial_count === r.trialCount) return false; // a duplicate delivery
      const hit = (twin ? { idx: r.batchIndex, ...twin } : overlap.get(r.cellIndex, end, r.trialStart)) as
        | { idx: number; trial_start: number; trial_count: number }
        | undefined;
      if (hit) {
        throw new OrchestratorError(
          'E_STORE',
          `${dir}: refusing batch ${r.cellIndex}:${r.batchIndex} (trials ${r.trialStart}+${r.trialCount}): it overlaps stored batch ` +
            `${r.cellIndex}:${hit.idx} (trials ${hit.trial_start}+${hit.trial_count}); was another process writing this run?`,
        );
      }
      // A ramp batch extends its cell's plan in the same transaction, so stored batches and the plan agree.
      if (plan) writePlan(r.cellIndex, plan);
      insB.run(r.cellIndex, r.batchIndex, r.trialStart, r.trialCount, JSON.stringify(r.counts), r.timing.worker, r.timing.trialsMs, attempt);
      for (const name of Object.keys(r.columns).sort()) {
        const col = r.columns[name];
        if (!col) continue;
        if (col.length !== r.trialCount) {
          throw new OrchestratorError('E_STORE', `batch ${r.cellIndex}:${r.batchIndex}: column ${name} has ${col.length} values, expected ${r.trialCount}`);
        }
        const blob = columnBlob(col);
        insR.run(r.cellIndex, r.batchIndex, name, col.length, blob, digest(blob));
      }
      return true;
    }).immediate;
  }

  /** Create the database of a new run (the directory must exist and hold no database). */
  static create(dir: string, spec: NormalisedSpec, specHash: string, runId: string, cells: Cell[]): RunStore {
    const path = join(dir, DB_FILE);
    if (existsSync(path)) throw new OrchestratorError('E_USAGE', `${dir}: already holds a run database; use resume`);
    let db: Database.Database | undefined;
    let store: RunStore;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.exec(SCHEMA);
      store = new RunStore(dir, db, Lease.acquire(db, dir));
    } catch (e) {
      db?.close();
      throw fileError(e, path, 'create the run database');
    }
    try {
      const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      const cell = db.prepare('INSERT INTO cells (idx, key, hash32, axes, params) VALUES (?, ?, ?, ?, ?)');
      db.transaction(() => {
        meta.run('format', STORE_FORMAT);
        meta.run('runId', runId);
        meta.run('specHash', specHash);
        meta.run('spec', JSON.stringify(spec));
        for (const c of cells) cell.run(c.index, c.key, c.hash32, JSON.stringify(c.axes), JSON.stringify(c.params));
      }).immediate();
    } catch (e) {
      store.close();
      throw fileError(e, path, 'create the run database');
    }
    return store;
  }

  /** Open an existing run's database (E_USAGE when there is none, E_STORE when it is not a paradox run). */
  static open(dir: string, options: { readonly?: boolean } = {}): RunStore {
    const path = join(dir, DB_FILE);
    if (!existsSync(path)) throw new OrchestratorError('E_USAGE', `${dir}: not a paradox run directory (no ${DB_FILE})`);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: true });
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('foreign_keys = ON');
      const fmt = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined;
      if (fmt?.value !== STORE_FORMAT) throw new Error(`format ${fmt?.value ?? '(none)'}, expected ${STORE_FORMAT}`);
    } catch (e) {
      // The environment (read-only, permissions) or a damaged file, each said as such; else not a paradox database.
      const known = fileError(e, path, options.readonly ? 'read the run database' : 'open the run database for writing');
      if (known !== e) throw known;
      throw new OrchestratorError('E_STORE', `${path}: not a readable paradox run database (${(e as Error).message})`, { cause: e });
    }
    if (options.readonly) return new RunStore(dir, db);
    try {
      // Stores written before checksums: their blobs are read unverified.
      const cols = db.prepare('PRAGMA table_info(results)').all() as { name: string }[];
      if (!cols.some((c) => c.name === 'sha256')) db.exec('ALTER TABLE results ADD COLUMN sha256 TEXT');
      return new RunStore(dir, db, Lease.acquire(db, dir));
    } catch (e) {
      db.close();
      throw fileError(e, path, 'open the run database for writing');
    }
  }

  /** A meta value. */
  meta(key: 'runId' | 'specHash' | 'spec' | 'format'): string {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    if (!r) throw new OrchestratorError('E_STORE', `${this.dir}: run database lacks meta ${key}`);
    return r.value;
  }

  /** The stored normalised spec. */
  spec(): NormalisedSpec {
    return JSON.parse(this.meta('spec')) as NormalisedSpec;
  }

  /** Every cell, in grid order. */
  cells(): CellRow[] {
    return (this.db.prepare('SELECT * FROM cells ORDER BY idx').all() as RawCell[]).map(cellFromRaw);
  }

  /** Record a cell's batch sizes (a resume reuses them); E_STORE when they would replace stored ones. */
  setPlan(cellIndex: number, plan: StoredPlan): void {
    this.setPlansTx([[cellIndex, plan]]);
  }

  /** {@link setPlan} for several cells in one transaction (all stored, or none). */
  setPlans(plans: ReadonlyArray<readonly [number, StoredPlan]>): void {
    this.setPlansTx(plans);
  }

  /** Record where and why a cell stopped (a cache: it is recomputed from the batches on resume). */
  setStopped(cellIndex: number, at: number, reason: string): void {
    this.db.prepare('UPDATE cells SET stopped_at = ?, stop_reason = ? WHERE idx = ?').run(at, reason, cellIndex);
  }

  /**
   * Store a batch and its columns in one transaction. Returns false (and changes nothing) when the
   * same batch (same index, same trials) is already stored: duplicates from retries or
   * at-least-once delivery are dropped here. Throws E_STORE (changing nothing) when the batch
   * overlaps another stored batch of its cell, or `plan` (the cell's batch sizes, when this batch
   * changed them; stored in the same transaction) would replace the stored plan rather than extend
   * it; E_LOCKED when this store no longer holds the directory's lease.
   */
  insertBatch(result: BatchResult, attempt: number, plan?: StoredPlan): boolean {
    return this.insertBatchTx(result, attempt, plan);
  }

  /** Stored batches of a cell (or of every cell), in trial order. */
  batches(cellIndex?: number): StoredBatch[] {
    const rows =
      cellIndex === undefined
        ? (this.db.prepare('SELECT * FROM batches ORDER BY cell, trial_start').all() as RawBatch[])
        : (this.db.prepare('SELECT * FROM batches WHERE cell = ? ORDER BY trial_start').all(cellIndex) as RawBatch[]);
    return rows.map(batchFromRaw);
  }

  /** Names of the columns stored for a cell. */
  columnNames(cellIndex: number): string[] {
    return (this.db.prepare('SELECT DISTINCT name FROM results WHERE cell = ? ORDER BY name').all(cellIndex) as { name: string }[]).map((r) => r.name);
  }

  /**
   * A column of a cell for trials 0..upTo−1, streamed in trial order one batch at a time (constant
   * memory). Each call of the returned function starts a fresh pass.
   */
  column(cellIndex: number, name: string, upTo: number): () => Iterable<Float64Array> {
    const stmt = this.db.prepare(
      `SELECT b.idx AS batch, r.length AS length, r.data AS data, r.sha256 AS sha256 FROM batches b JOIN results r ON r.cell = b.cell AND r.batch = b.idx
       WHERE b.cell = ? AND r.name = ? AND b.trial_start < ? ORDER BY b.trial_start`,
    );
    const path = join(this.dir, DB_FILE);
    return function* () {
      for (const row of stmt.iterate(cellIndex, name, upTo) as IterableIterator<{ batch: number; length: number; data: Buffer; sha256: string | null }>) {
        const where = `${path}: stored column ${name} of cell ${cellIndex}, batch ${row.batch}`;
        if (row.sha256 !== null && digest(row.data) !== row.sha256) throw corruptBlob(path, cellIndex, name, row.batch);
        let values: Float64Array;
        try {
          values = decompressColumn(row.data, row.length);
        } catch (e) {
          throw new OrchestratorError('E_STORE', `${where} cannot be read: ${(e as Error).message}`, { cause: e });
        }
        yield values;
      }
    };
  }

  /**
   * Check every stored blob against its checksum (a resume does this before running anything):
   * throws E_STORE naming the file, cell, column and batch of the first damaged one.
   */
  verifyBlobs(): void {
    const path = join(this.dir, DB_FILE);
    const rows = this.db.prepare('SELECT cell, batch, name, data, sha256 FROM results WHERE sha256 IS NOT NULL ORDER BY cell, batch, name');
    for (const r of rows.iterate() as IterableIterator<{ cell: number; batch: number; name: string; data: Buffer; sha256: string }>) {
      if (digest(r.data) !== r.sha256) throw corruptBlob(path, r.cell, r.name, r.batch);
    }
  }

  /** Close the database (checkpointing the WAL) and give up the directory's lease. */
  close(): void {
    this.lease?.release();
    this.lease = undefined;
    if (this.db.open) this.db.close();
  }
}

/** Path of a run directory's stored spec. */
export function specPath(dir: string): string {
  return join(dir, SPEC_FILE);
}
