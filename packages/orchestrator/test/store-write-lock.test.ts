/**
 * The run store's write transactions hold SQLite's write lock from their first statement on.
 *
 * A write transaction that starts with a read (the lease check) and takes the write lock only at
 * its first write fails at once with SQLITE_BUSY ("database is locked", exit 1) when another
 * connection holds the lock at that moment: SQLite never waits (never calls the busy handler) for
 * a lock wanted by a transaction that has already read. Another process holds it briefly whenever
 * it looks at the directory's lease — a second `paradox resume` started beside a running one — so
 * the running writer failed now and then (one-writer.test.ts, 1 round in 20 on a loaded machine).
 *
 * Each test makes another connection try to take the write lock at an exact point inside the
 * store's transaction — after its reads, before its first write — from a JSON.stringify hook of the
 * value the store is about to write. The store must already hold the lock there (the other
 * connection is refused) and the write must succeed.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expandCells, normaliseSpec, specHash } from '../src/spec/index.js';
import { DB_FILE, RunStore, type StoredPlan } from '../src/store/db.js';
import { encodeColumn } from '../src/worker/columns.js';
import { PROTOCOL_VERSION, type BatchResult } from '../src/worker/protocol.js';
import { SMALL_SPEC, tempDir } from './helpers/sweep.js';

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of open.splice(0).reverse()) s.close();
});

function newStore(): { dir: string; store: RunStore } {
  const dir = tempDir('paradox-store-lock-');
  const spec = normaliseSpec(SMALL_SPEC);
  const store = RunStore.create(dir, spec, specHash(spec), 'run-1', expandCells(spec));
  open.push(store);
  return { dir, store };
}

/**
 * Another connection to the run database that tries, without waiting, to take the write lock and
 * keeps it when it gets it. `attempt()` says what happened: 'refused' (SQLITE_BUSY: someone holds
 * the lock) or 'taken'.
 */
function intruder(dir: string): { attempt: () => 'taken' | 'refused'; tried: Array<'taken' | 'refused'> } {
  const other = new Database(join(dir, DB_FILE), { timeout: 0 });
  open.push({ close: () => (other.inTransaction ? (other.exec('ROLLBACK'), other.close()) : other.close()) });
  const tried: Array<'taken' | 'refused'> = [];
  return {
    tried,
    attempt: () => {
      try {
        other.exec('BEGIN IMMEDIATE');
        tried.push('taken');
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
        tried.push('refused');
      }
      return tried.at(-1)!;
    },
  };
}

/** `value` whose first serialisation (the store's last step before its first write) calls `hook`. */
function onSerialise<T extends object>(value: T, hook: () => void): T {
  const plain = { ...value };
  let called = false;
  return Object.defineProperty({ ...value }, 'toJSON', {
    value: () => {
      if (!called) hook();
      called = true;
      return plain;
    },
  });
}

function batch(trialCount: number, hook: () => void): BatchResult {
  return {
    type: 'batch-result',
    protocol: PROTOCOL_VERSION,
    runId: 'run-1',
    cellIndex: 0,
    batchIndex: 0,
    trialStart: 0,
    trialCount,
    counts: onSerialise({ trials: trialCount }, hook),
    columns: { x: encodeColumn(Float64Array.from({ length: trialCount }, (_, i) => i)) },
    timing: { worker: 'test', trialsMs: 1, wallMs: 1 },
  };
}

describe('the store holds the write lock through each write transaction', () => {
  it('insertBatch: another connection cannot take the lock between the lease check and the first write, and the batch is stored', () => {
    const { dir, store } = newStore();
    const other = intruder(dir);
    expect(store.insertBatch(batch(5, other.attempt), 1)).toBe(true);
    expect(other.tried).toEqual(['refused']);
    expect(store.batches(0).map((b) => [b.trialStart, b.trialCount])).toEqual([[0, 5]]);
  });

  it('insertBatch with a ramp plan: the same', () => {
    const { dir, store } = newStore();
    const other = intruder(dir);
    const plan: StoredPlan = onSerialise({ ramp: [5], size: null }, other.attempt);
    expect(store.insertBatch(batch(5, () => undefined), 1, plan)).toBe(true);
    expect(other.tried).toEqual(['refused']);
    expect(store.cells()[0]?.plan).toEqual({ ramp: [5], size: null });
  });

  it('setPlans: the same, for every plan of one transaction', () => {
    const { dir, store } = newStore();
    const other = intruder(dir);
    store.setPlans([
      [0, onSerialise({ ramp: [], size: 10 }, other.attempt)],
      [3, onSerialise({ ramp: [], size: 10 }, other.attempt)],
    ]);
    expect(other.tried).toEqual(['refused', 'refused']);
    expect(store.cells().map((c) => c.plan)).toEqual(store.cells().map((c) => (c.index === 0 || c.index === 3 ? { ramp: [], size: 10 } : null)));
  });

  it('the intruder does take the lock when no store transaction is open (the test can see a difference)', () => {
    const { dir } = newStore();
    expect(intruder(dir).attempt()).toBe('taken');
  });
});
