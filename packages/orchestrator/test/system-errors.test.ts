/**
 * What the environment can do to a run, said with the path and the real cause: a full disk while
 * writing the summary (a failing write injected into node:fs), a path that runs through a file, a
 * directory without write permission, a damaged run.sqlite (truncated, garbled) and a flipped byte
 * in a stored blob. Every failure leaves no temporary file (`*.tmp-*`) behind, and the run stays
 * resumable where it had started.
 */
import Database from 'better-sqlite3';
import * as realFs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resumeRun, runSweep } from '../src/api.js';
import { OrchestratorError } from '../src/errors.js';
import { openRunStore } from '../src/store/reader.js';
import { DB_FILE } from '../src/store/db.js';
import { SMALL_SPEC, summaryBytes, tempDir } from './helpers/sweep.js';

/** When set, writeFileSync of a path containing this text writes half and fails with ENOSPC. */
let failWritesOf: string | undefined;

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeFileSync = (path: realFs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]): void => {
    if (failWritesOf !== undefined && typeof path === 'string' && path.includes(failWritesOf)) {
      // A full disk: part of the data reaches the file, then the write fails (as write(2) does).
      real.writeFileSync(path, typeof data === 'string' ? data.slice(0, data.length >> 1) : data);
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    (real.writeFileSync as (...a: unknown[]) => void)(path, data, ...rest);
  };
  return { ...real, default: { ...real, writeFileSync }, writeFileSync };
});

afterEach(() => {
  failWritesOf = undefined;
});

const SPEC = { ...SMALL_SPEC, trials: 30, batch: 10 };
const tmpFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.includes('.tmp-'));
const root = typeof process.getuid === 'function' && process.getuid() === 0;

/** The unprivileged user (Debian's `nobody`) the permission tests run as when the suite runs as root. */
const NOBODY = 65534;
const ORCHESTRATOR = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'index.js')).href;

/**
 * Whether the user nobody can run this node and read the built orchestrator (a checkout under a
 * private home directory, or node installed there, is out of its reach: then, as root, the two
 * permission tests are skipped rather than fail for a reason that is not the product's).
 */
const nobodyCanRun =
  root &&
  spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(require('node:url').fileURLToPath(${JSON.stringify(ORCHESTRATOR)}))`], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
  }).status === 0;

/**
 * Root ignores permission bits, so as root the permission scenarios run `call` ('runSweep' or
 * 'resumeRun') as the user nobody: a child node process over the built orchestrator, reporting the
 * error it got as JSON ({code, exitCode, message}, or null when the call succeeded).
 */
function asNobody(call: 'runSweep' | 'resumeRun', args: unknown[]): { code: string; exitCode: number; message: string } | null {
  const script = `
    const o = await import(${JSON.stringify(ORCHESTRATOR)});
    let out = null;
    try { await o[${JSON.stringify(call)}](...JSON.parse(process.argv[1])); }
    catch (e) { out = { code: e.code, exitCode: e.exitCode, message: e.message }; }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(args)], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: '/',
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  if (r.status !== 0) throw new Error(`the child run as nobody failed (status ${r.status}): ${r.stderr || r.error}`);
  return JSON.parse(r.stdout) as { code: string; exitCode: number; message: string } | null;
}

async function failure(p: Promise<unknown>): Promise<OrchestratorError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OrchestratorError);
  return e as OrchestratorError;
}

describe('a full disk while writing the summary', () => {
  it('fails with E_FS (exit 2) naming summary.json and ENOSPC, leaves no temporary file, and the run resumes to the clean result', async () => {
    const dir = join(tempDir(), 'run');
    failWritesOf = `summary.json.tmp-`;
    const err = await failure(runSweep(SPEC, { outDir: dir, workers: 1 }));
    expect(err.code).toBe('E_FS');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`${join(dir, 'summary.json')}: cannot write it: no space left on the device (ENOSPC)`);
    expect(tmpFiles(dir)).toEqual([]);
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    failWritesOf = undefined;
    const resumed = await resumeRun(dir, { workers: 1 });
    expect(resumed.status).toBe('complete');
    const clean = join(tempDir(), 'clean');
    await runSweep(SPEC, { outDir: clean, workers: 1 });
    expect(summaryBytes(dir)).toBe(summaryBytes(clean));
  });

  it('a full disk while writing spec.json leaves no run directory at all', async () => {
    const dir = join(tempDir(), 'run');
    failWritesOf = `spec.json.tmp-`;
    const err = await failure(runSweep(SPEC, { outDir: dir, workers: 1 }));
    expect(err.code).toBe('E_FS');
    expect(err.message).toBe(`${join(dir, 'spec.json')}: cannot write it: no space left on the device (ENOSPC)`);
    expect(existsSync(dir)).toBe(false);
  });
});

describe('run directories the system refuses', () => {
  it('a path through a regular file: E_FS naming the directory and ENOTDIR, nothing written', async () => {
    const base = tempDir();
    writeFileSync(join(base, 'file'), 'not a directory\n');
    const dir = join(base, 'file', 'run');
    const err = await failure(runSweep(SPEC, { outDir: dir, workers: 1 }));
    expect(err.code).toBe('E_FS');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`${dir}: cannot create the run directory: a part of the path is not a directory (ENOTDIR)`);
    expect(readFileSync(join(base, 'file'), 'utf8')).toBe('not a directory\n');
  });

  // Root ignores permission bits, so as root these two run the call as the user nobody (asNobody).
  it.skipIf(root && !nobodyCanRun)('a directory without write permission: E_FS naming the path and EACCES, nothing written', async () => {
    const base = tempDir();
    chmodSync(base, 0o555);
    try {
      const args = [SPEC, { outDir: join(base, 'run'), workers: 1 }] as const;
      const err = root ? asNobody('runSweep', [...args]) : await failure(runSweep(...args));
      expect(err?.code).toBe('E_FS');
      expect(err?.exitCode).toBe(2);
      expect(err?.message).toBe(`${join(base, 'run')}: cannot create the run directory: permission denied (EACCES)`);
      expect(readdirSync(base)).toEqual([]);
    } finally {
      chmodSync(base, 0o755);
    }
  });

  it.skipIf(root && !nobodyCanRun)('resume of a run whose directory became read-only for this user: E_FS naming run.sqlite, nothing changed', async () => {
    const base = tempDir();
    chmodSync(base, 0o755); // as root, nobody must be able to enter it
    const dir = join(base, 'run');
    await runSweep(SPEC, { outDir: dir, workers: 1 });
    const before = summaryBytes(dir);
    chmodSync(dir, 0o555);
    chmodSync(join(dir, DB_FILE), 0o444);
    try {
      const err = root ? asNobody('resumeRun', [dir, { workers: 1 }]) : await failure(resumeRun(dir, { workers: 1 }));
      expect(err?.code).toBe('E_FS');
      expect(err?.exitCode).toBe(2);
      expect(err?.message).toContain(`${join(dir, DB_FILE)}: cannot open the run database for writing: `);
      expect(summaryBytes(dir)).toBe(before);
      expect(tmpFiles(dir)).toEqual([]);
    } finally {
      chmodSync(dir, 0o755);
      chmodSync(join(dir, DB_FILE), 0o644);
    }
  });
});

describe('a damaged run.sqlite', () => {
  async function finishedRun(): Promise<string> {
    const dir = join(tempDir(), 'run');
    await runSweep({ ...SPEC, trials: 200, batch: 10 }, { outDir: dir, workers: 1 });
    return dir;
  }

  it('truncated: resume and export name the file and say it is damaged (E_STORE), no internal error', async () => {
    const dir = await finishedRun();
    const db = join(dir, DB_FILE);
    truncateSync(db, Math.floor(statSync(db).size / 2));
    for (const attempt of [
      () => resumeRun(dir, { workers: 1 }),
      async () => {
        const r = openRunStore(dir);
        try {
          for (const c of r.cells()) for (const _ of r.trials(c.index));
        } finally {
          r.close();
        }
      },
    ]) {
      const err = await failure(attempt());
      expect(err.code).toBe('E_STORE');
      expect(err.message).toMatch(new RegExp(`^${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot (read|open) .*the database is damaged \\(database disk image is malformed\\)`));
    }
    expect(tmpFiles(dir)).toEqual([]);
  });

  it('a flipped byte in a stored blob: resume refuses before running anything, naming the file, cell, column and batch', async () => {
    const dir = await finishedRun();
    const db = new Database(join(dir, DB_FILE));
    const row = db.prepare('SELECT cell, batch, name, data FROM results ORDER BY cell, batch, name LIMIT 1 OFFSET 7').get() as { cell: number; batch: number; name: string; data: Buffer };
    const data = Buffer.from(row.data);
    data[data.length >> 1]! ^= 0x10;
    db.prepare('UPDATE results SET data = ? WHERE cell = ? AND batch = ? AND name = ?').run(data, row.cell, row.batch, row.name);
    db.close();
    const before = summaryBytes(dir);
    const err = await failure(resumeRun(dir, { workers: 1 }));
    expect(err.code).toBe('E_STORE');
    expect(err.message).toContain(`${join(dir, DB_FILE)}: stored column ${row.name} of cell ${row.cell}, batch ${row.batch} is corrupt`);
    expect(summaryBytes(dir)).toBe(before);
  });
});
