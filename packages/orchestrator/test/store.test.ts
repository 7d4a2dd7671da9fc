/**
 * The run store on its own: duplicate and overlap refusal, plans that are only ever extended, the
 * one-writer lease (refusal, stale takeover) and the per-blob checksum. No workers: batches are
 * made up here, so each rule is tested where it lives.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OrchestratorError } from '../src/errors.js';
import { expandCells, normaliseSpec, specHash } from '../src/spec/index.js';
import { DB_FILE, extendsPlan, RunStore } from '../src/store/db.js';
import { bootId, isStale, LEASE_STALE_MS, processStartTime } from '../src/store/lease.js';
import { openRunStore } from '../src/store/reader.js';
import { resumeRun, runSweep } from '../src/run/run.js';
import { copyFileSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { encodeColumn } from '../src/worker/columns.js';
import { PROTOCOL_VERSION, type BatchResult } from '../src/worker/protocol.js';
import { SMALL_SPEC, summaryBytes, tempDir } from './helpers/sweep.js';

const open: RunStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function newStore(): { dir: string; store: RunStore } {
  const dir = tempDir('paradox-store-');
  const spec = normaliseSpec(SMALL_SPEC);
  const store = RunStore.create(dir, spec, specHash(spec), 'run-1', expandCells(spec));
  open.push(store);
  return { dir, store };
}

function batch(cellIndex: number, batchIndex: number, trialStart: number, trialCount: number): BatchResult {
  const values = Float64Array.from({ length: trialCount }, (_, i) => trialStart + i);
  return {
    type: 'batch-result',
    protocol: PROTOCOL_VERSION,
    runId: 'run-1',
    cellIndex,
    batchIndex,
    trialStart,
    trialCount,
    counts: { trials: trialCount },
    columns: { x: encodeColumn(values) },
    timing: { worker: 'test', trialsMs: 1, wallMs: 1 },
  };
}

const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as OrchestratorError).code;
  }
};

describe('duplicate and overlap refusal', () => {
  it('drops an exact duplicate (false, nothing changed) and refuses every overlap with E_STORE', () => {
    const { store } = newStore();
    expect(store.insertBatch(batch(0, 0, 0, 10), 1)).toBe(true);
    expect(store.insertBatch(batch(0, 1, 10, 10), 1)).toBe(true);
    // The same batch again (a retry, at-least-once delivery).
    expect(store.insertBatch(batch(0, 1, 10, 10), 2)).toBe(false);
    // Overlaps: same index other trials; other index same start; inside; straddling; covering.
    for (const [idx, start, count] of [
      [1, 12, 10],
      [5, 10, 3],
      [5, 3, 4],
      [5, 15, 10],
      [5, 0, 40],
    ] as const) {
      expect(code(() => store.insertBatch(batch(0, idx, start, count), 1)), `${idx}:${start}+${count}`).toBe('E_STORE');
    }
    // Adjacent ranges and other cells are fine.
    expect(store.insertBatch(batch(0, 2, 20, 5), 1)).toBe(true);
    expect(store.insertBatch(batch(1, 0, 0, 10), 1)).toBe(true);
    expect(store.batches(0).map((b) => [b.batchIndex, b.trialStart, b.trialCount])).toEqual([
      [0, 0, 10],
      [1, 10, 10],
      [2, 20, 5],
    ]);
    expect(store.batches(0).find((b) => b.batchIndex === 1)?.attempt).toBe(1);
  });

  it('a refused batch leaves no column rows behind (one transaction)', () => {
    const { store } = newStore();
    store.insertBatch(batch(0, 0, 0, 10), 1);
    expect(() => store.insertBatch(batch(0, 1, 5, 10), 1)).toThrow(/overlaps stored batch 0:0 \(trials 0\+10\)/);
    const n = store.db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number };
    expect(n.n).toBe(1);
  });
});

describe('batch plans', () => {
  it('extendsPlan: the ramp may grow and then fix a size; nothing else', () => {
    expect(extendsPlan({ ramp: [8], size: null }, { ramp: [8, 64], size: null })).toBe(true);
    expect(extendsPlan({ ramp: [8, 64], size: null }, { ramp: [8, 64], size: 300 })).toBe(true);
    expect(extendsPlan({ ramp: [8, 64], size: null }, { ramp: [8, 32], size: null })).toBe(false);
    expect(extendsPlan({ ramp: [8], size: 100 }, { ramp: [8], size: 120 })).toBe(false);
    expect(extendsPlan({ ramp: [], size: 10 }, { ramp: [], size: 10 })).toBe(true);
  });

  it('a stored plan is never replaced, neither by setPlan nor with a batch', () => {
    const { store } = newStore();
    store.setPlan(0, { ramp: [8], size: null });
    store.insertBatch(batch(0, 0, 0, 8), 1, { ramp: [8, 64], size: null });
    expect(store.cells()[0]?.plan).toEqual({ ramp: [8, 64], size: null });
    expect(code(() => store.setPlan(0, { ramp: [8], size: 50 }))).toBe('E_STORE');
    expect(code(() => store.insertBatch(batch(0, 1, 8, 64), 1, { ramp: [8, 32], size: 40 }))).toBe('E_STORE');
    // The refused batch was not stored either.
    expect(store.batches(0)).toHaveLength(1);
    expect(store.cells()[0]?.plan).toEqual({ ramp: [8, 64], size: null });
  });
});

describe('one writer per run directory', () => {
  it('a second writable open fails with E_LOCKED (exit 2) naming pid, host and time; read-only opens are fine', () => {
    const { dir, store } = newStore();
    let err: unknown;
    try {
      open.push(RunStore.open(dir));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrchestratorError);
    expect((err as OrchestratorError).code).toBe('E_LOCKED');
    expect((err as OrchestratorError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(new RegExp(`^run ${dir} is being written by pid ${process.pid} on .+ since \\d{4}-\\d\\d-\\d\\dT.+; wait or stop it$`));
    const reader = openRunStore(dir);
    expect(reader.cells()).toHaveLength(8);
    reader.close();
    store.close();
    // Released on close: the next writer gets it.
    open.push(RunStore.open(dir));
  });

  it("a dead holder's lease is taken over, and its late batches are refused", () => {
    const { dir, store } = newStore();
    // A process that has exited: its pid is free (until reused, which the heartbeat age covers).
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const raw = new Database(join(dir, DB_FILE));
    raw.prepare('UPDATE lease SET pid = ? WHERE id = 1').run(Number(dead.stdout));
    raw.close();
    const next = RunStore.open(dir);
    open.push(next);
    expect(next.insertBatch(batch(0, 0, 0, 10), 1)).toBe(true);
    // The old holder (now superseded) can no longer write.
    expect(code(() => store.insertBatch(batch(0, 1, 10, 10), 1))).toBe('E_LOCKED');
    expect(code(() => store.setPlan(1, { ramp: [], size: 5 }))).toBe('E_LOCKED');
  });

  /** What `RunStore.open(dir)` throws while another connection holds SQLite's write lock (a writer mid-transaction). */
  function openWhileWriteLocked(dir: string): unknown {
    const writer = new Database(join(dir, DB_FILE));
    writer.exec('BEGIN IMMEDIATE');
    try {
      open.push(RunStore.open(dir));
      return undefined;
    } catch (e) {
      return e;
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  }

  it('a holder inside a write transaction (or stopped there by SIGSTOP) is named at once, not "database is locked"', () => {
    const { dir } = newStore();
    // The holder's connection mid-transaction: it holds SQLite's write lock, so a second writer's
    // BEGIN IMMEDIATE could only time out (SQLITE_BUSY, exit 1). The lease is read without it.
    const err = openWhileWriteLocked(dir);
    expect((err as OrchestratorError).code, String(err)).toBe('E_LOCKED');
    expect((err as Error).message).toMatch(new RegExp(`^run ${dir} is being written by pid ${process.pid} on `));
  });

  it('a writer with no lease (a run made before leases) that keeps the database locked: E_LOCKED (exit 2), not a raw SQLite error', () => {
    const { dir, store } = newStore();
    store.close();
    const err = openWhileWriteLocked(dir);
    expect((err as OrchestratorError).code, String(err)).toBe('E_LOCKED');
    expect((err as OrchestratorError).exitCode).toBe(2);
    expect((err as Error).message).toBe(`run ${dir} is being written by another process (its database stayed locked); wait or stop it`);
  }, 30_000);

  it('a lease whose heartbeat stopped long ago is stale even if the pid exists (reused)', () => {
    const { dir } = newStore();
    const raw = new Database(join(dir, DB_FILE));
    // pid 1 always exists; only the heartbeat age can tell the holder is gone.
    raw.prepare('UPDATE lease SET pid = 1, heartbeat = ? WHERE id = 1').run(Date.now() - 3_600_000);
    raw.close();
    open.push(RunStore.open(dir));
  });
});

describe('lease holder identity: a reused pid does not keep a run locked', () => {
  // Linux records the holder's start time and boot id; elsewhere the pid check alone applies (the tests above).
  const linux = processStartTime(process.pid) !== null && bootId() !== null;
  /** Put a lease row naming `pid` into the run database at `dir`, as a holder that is alive and renewing. */
  function plant(dir: string, pid: number, start: string | null, boot: string | null): void {
    const raw = new Database(join(dir, DB_FILE));
    raw.prepare('INSERT OR REPLACE INTO lease (id, token, pid, host, since, heartbeat, start, boot) VALUES (1, ?, ?, ?, ?, ?, ?, ?)').run(
      'planted', pid, hostname(), Date.now(), Date.now(), start, boot,
    );
    raw.close();
  }
  /** A finished run of SMALL_SPEC and its summary. */
  async function finished(): Promise<{ dir: string; summary: string }> {
    const r = await runSweep(SMALL_SPEC, { outDir: join(tempDir('paradox-lease-'), 'run'), workers: 1 });
    return { dir: r.dir, summary: summaryBytes(r.dir) };
  }

  it.skipIf(!linux)('the start time (/proc/PID/stat field 22) is read for this process and its parent; a gone pid has none', () => {
    const own = processStartTime(process.pid);
    const parent = processStartTime(process.ppid);
    expect(own).toMatch(/^\d+$/);
    expect(parent).toMatch(/^\d+$/);
    // The parent started first (or in the same tick), never later.
    expect(BigInt(parent!) <= BigInt(own!)).toBe(true);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    expect(processStartTime(Number(gone.stdout))).toBe(null);
  });

  it.skipIf(!linux)('a live pid with another start time is a reused pid: stale, and a resume takes the run over', async () => {
    const { dir, summary } = await finished();
    // The test's parent process is alive and unrelated to the run; the lease says its holder started at tick 1.
    plant(dir, process.ppid, '1', bootId());
    const r = await resumeRun(dir);
    expect(r.status).toBe('complete');
    expect(summaryBytes(dir)).toBe(summary);
    // The lease is released on close.
    const raw = new Database(join(dir, DB_FILE), { readonly: true });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM lease').get()).toEqual({ n: 0 });
    raw.close();
  }, 60_000);

  it.skipIf(!linux)('the same pid with its own start time holds the run: E_LOCKED (exit 2) naming it', async () => {
    const { dir } = await finished();
    plant(dir, process.ppid, processStartTime(process.ppid), bootId());
    const err = (await resumeRun(dir).catch((e: unknown) => e)) as OrchestratorError;
    expect(err.code).toBe('E_LOCKED');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(new RegExp(`^run ${dir} is being written by pid ${process.ppid} on `));
    // This process's own pid with a wrong start time: a previous holder whose pid this process got.
    plant(dir, process.pid, '1', bootId());
    open.push(RunStore.open(dir));
  }, 60_000);

  it.skipIf(!linux)('a lease from another boot is stale even when its pid and start time match a live process', () => {
    const { dir, store } = newStore();
    store.close();
    plant(dir, process.ppid, processStartTime(process.ppid), 'another-boot-id');
    open.push(RunStore.open(dir));
  });

  it('a lease table of the first schema (no start/boot columns): the pid decides, and a new holder adds the columns', () => {
    const { dir, store } = newStore();
    store.close();
    const raw = new Database(join(dir, DB_FILE));
    raw.exec('DROP TABLE lease');
    raw.exec('CREATE TABLE lease (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, since INTEGER NOT NULL, heartbeat INTEGER NOT NULL) STRICT');
    raw.prepare('INSERT INTO lease VALUES (1, ?, ?, ?, ?, ?)').run('old', process.ppid, hostname(), Date.now(), Date.now());
    // A live pid and no start time recorded: held, as before.
    let err: unknown;
    try {
      open.push(RunStore.open(dir));
    } catch (e) {
      err = e;
    }
    expect((err as OrchestratorError).code).toBe('E_LOCKED');
    expect((err as Error).message).toContain(`being written by pid ${process.ppid} on`);
    // A dead pid: taken over; the new holder's row carries the new columns, and batches are stored.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    raw.prepare('UPDATE lease SET pid = ? WHERE id = 1').run(Number(dead.stdout));
    const next = RunStore.open(dir);
    open.push(next);
    expect(next.insertBatch(batch(0, 0, 0, 10), 1)).toBe(true);
    const row = raw.prepare('SELECT * FROM lease WHERE id = 1').get() as Record<string, unknown>;
    expect(row.pid).toBe(process.pid);
    expect(row.start).toBe(processStartTime(process.pid));
    expect(row.boot).toBe(bootId());
    raw.close();
  });

  it('isStale: another host is judged by its heartbeat only; unreadable start times are no evidence', () => {
    const now = Date.now();
    const h = { pid: 999_999_999, host: 'elsewhere', since: now, heartbeat: now, start: '1', boot: 'x' };
    expect(isStale(h, now, 'here')).toBe(false);
    expect(isStale(h, now + LEASE_STALE_MS + 1, 'here')).toBe(true);
    // On this host: pid 999999999 does not exist.
    expect(isStale({ ...h, host: 'here', boot: null }, now, 'here')).toBe(true);
    // Our own pid with no start time recorded (an old lease, another OS): held.
    expect(isStale({ ...h, host: 'here', pid: process.pid, start: null, boot: null }, now, 'here')).toBe(false);
  });
});

describe('checksums of stored blobs', () => {
  it('a flipped byte in a stored column is reported naming the file, cell, column and batch', () => {
    const { dir, store } = newStore();
    store.insertBatch(batch(2, 0, 0, 10), 1);
    store.insertBatch(batch(2, 1, 10, 10), 1);
    store.close();
    const raw = new Database(join(dir, DB_FILE));
    const row = raw.prepare('SELECT data FROM results WHERE cell = 2 AND batch = 1').get() as { data: Buffer };
    const data = Buffer.from(row.data);
    const at = Math.floor(data.length / 2);
    data.writeUInt8(data.readUInt8(at) ^ 0x01, at);
    raw.prepare('UPDATE results SET data = ? WHERE cell = 2 AND batch = 1').run(data);
    raw.close();
    const reader = openRunStore(dir);
    try {
      expect(() => [...reader.trials(2)]).toThrow(`${join(dir, DB_FILE)}: stored column x of cell 2, batch 1 is corrupt`);
      // Other cells read fine.
      expect([...reader.trials(0)]).toEqual([]);
    } finally {
      reader.close();
    }
  });
});

describe('run identity on resume', () => {
  it('a run.sqlite from a seed-78 run dropped into a seed-77 directory is refused, naming both seeds', async () => {
    const make = (seed: number): string => {
      const dir = tempDir('paradox-identity-');
      const spec = normaliseSpec({ ...SMALL_SPEC, seed });
      writeFileSync(join(dir, 'spec.json'), `${JSON.stringify(spec, null, 2)}\n`);
      RunStore.create(dir, spec, specHash(spec), `run-${seed}`, expandCells(spec)).close();
      return dir;
    };
    const a = make(77);
    const b = make(78);
    copyFileSync(join(b, DB_FILE), join(a, DB_FILE));
    const err = (await resumeRun(a, { workers: 1 }).catch((e: unknown) => e)) as OrchestratorError;
    expect(err.code).toBe('E_RUN_MISMATCH');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`${a}: run.sqlite belongs to another run than spec.json (seed 77 in spec.json, 78 in run.sqlite)`);
    expect(err.message).toContain('they differ in seed');
  });

  it('a run.sqlite from another run of the same spec and seed is refused by its run id; so is one the caller records otherwise', async () => {
    const spec = normaliseSpec({ ...SMALL_SPEC, seed: 77 });
    const make = (runId: string): string => {
      const dir = tempDir('paradox-identity-');
      writeFileSync(join(dir, 'spec.json'), `${JSON.stringify({ ...spec, runId }, null, 2)}\n`);
      RunStore.create(dir, spec, specHash(spec), runId, expandCells(spec)).close();
      return dir;
    };
    const a = make('run-a');
    const b = make('run-b');
    copyFileSync(join(b, DB_FILE), join(a, DB_FILE));
    const err = (await resumeRun(a, { workers: 1 }).catch((e: unknown) => e)) as OrchestratorError;
    expect(err.code).toBe('E_RUN_MISMATCH');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`${a}: run.sqlite belongs to another run than spec.json: same spec and seed, but run id run-b in the database and run-a in spec.json`);
    // The database and spec.json agree, the caller's record (a manifest) does not.
    const c = make('run-c');
    const err2 = (await resumeRun(c, { workers: 1, expectRunId: { runId: 'run-x', source: 'M (part p)' } }).catch((e: unknown) => e)) as OrchestratorError;
    expect(err2.code).toBe('E_RUN_MISMATCH');
    expect(err2.message).toContain('run id run-c in the database, run-x in M (part p)');
  });
});

describe('stores written before the cell `constants` column was dropped', () => {
  it('a run.sqlite whose cells table still has constants is read and resumed, and the summary is byte-identical', async () => {
    const reference = tempDir('paradox-old-store-ref-');
    await runSweep(SMALL_SPEC, { outDir: join(reference, 'run'), workers: 1 });
    const dir = join(tempDir('paradox-old-store-'), 'run');
    cpSync(join(reference, 'run'), dir, { recursive: true });
    rmSync(join(dir, 'summary.json'));
    // As an older paradox left it: the column (always '{}') and the last batch of every cell not yet run.
    const raw = new Database(join(dir, DB_FILE));
    raw.exec('ALTER TABLE cells ADD COLUMN constants TEXT');
    raw.exec(`UPDATE cells SET constants = '{}'`);
    const last = 'SELECT cell, MAX(idx) FROM batches GROUP BY cell';
    const dropped = raw.prepare(`DELETE FROM results WHERE (cell, batch) IN (${last})`).run().changes;
    raw.prepare(`DELETE FROM batches WHERE (cell, idx) IN (${last})`).run();
    raw.close();
    expect(dropped).toBeGreaterThan(0);
    const reader = openRunStore(dir);
    expect(reader.cells()).toHaveLength(8);
    expect(Object.keys(reader.cells()[0] ?? {})).not.toContain('constants');
    reader.close();
    await resumeRun(dir, { workers: 1 });
    expect(summaryBytes(dir)).toBe(summaryBytes(join(reference, 'run')));
  });
});
