/**
 * Running and resuming sweeps: set up the run directory, the store and the backend, run a
 * scheduler session, write the summary, close everything — in every outcome (complete, cancelled,
 * failed), so the run directory is always resumable.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResumeOptions, RunOptions, RunResult } from './types.js';
import { autoWorkers, createLocalBackend } from '../backends/local.js';
import type { Backend, BackendFactory, BackendName, BackendOptions } from '../backends/types.js';
import { fileError, makeDirs, OrchestratorError } from '../errors.js';
import { writeFileAtomic } from '../run-dir/files.js';
import { getExperiment } from '../experiments/registry.js';
import { changedFile, type ChangedFile } from '../spec/file-identity.js';
import { absoluteFilePaths, absoluteFileValue, fileParamKeys, mapFileParams, specDirOf, storedDir, storedFilePaths, storedFileValue } from '../spec/file-paths.js';
import { expandCells, prepareSpec, specHash, specHashMatches } from '../spec/index.js';
import { loadSpec } from '../spec/load.js';
import type { Cell, NormalisedSpec, SpecInput } from '../spec/types.js';
import { buildSummary, writeSummary } from '../summary/build.js';
import { DB_FILE, RunStore, SPEC_FILE, specPath } from '../store/db.js';
import { BatchScheduler } from './scheduler.js';

/** The validated spec (validated here only if no earlier layer did; plugins loaded). */
async function toSpec(spec: SpecInput | NormalisedSpec | string): Promise<NormalisedSpec> {
  return typeof spec === 'string' ? loadSpec(spec) : prepareSpec(spec);
}

async function backendFactory(name: BackendName): Promise<BackendFactory> {
  if (name === 'local') return createLocalBackend;
  try {
    // Loaded lazily: the bullmq backend pulls in ioredis, which a local run does not need.
    const mod = (await import('../backends/bullmq/index.js')) as { createBullmqBackend?: BackendFactory };
    if (typeof mod.createBullmqBackend === 'function') return mod.createBullmqBackend;
  } catch (e) {
    throw new OrchestratorError('E_BACKEND', `the bullmq backend could not be loaded: ${(e as Error).message}`, { cause: e });
  }
  throw new OrchestratorError('E_BACKEND', 'the bullmq backend module has no createBullmqBackend export');
}

interface Prepared {
  dir: string;
  spec: NormalisedSpec;
  hash: string;
  runId: string;
  cells: Cell[];
  store: RunStore;
  resumed: boolean;
  /** The directory the spec's file values were written relative to (the summary names files relative to it). */
  specDir: string;
}

async function execute(p: Prepared, options: Omit<RunOptions, 'outDir'>): Promise<RunResult> {
  const exp = getExperiment(p.spec.experiment);
  if (!exp) throw new OrchestratorError('E_USAGE', `this build cannot run experiment ${p.spec.experiment}`);
  const backendName = options.backend ?? p.spec.backend;
  const workersSetting = options.workers ?? p.spec.workers;
  const workers = workersSetting === 'auto' ? autoWorkers() : workersSetting;
  const batch = options.batch ?? p.spec.batch;
  const bo: BackendOptions = { workers, runId: p.runId };
  const redis = options.redis ?? p.spec.redis;
  if (redis !== undefined) bo.redis = redis;
  if (options.taskModule !== undefined) bo.taskModule = options.taskModule;
  // `emit` is declared below; notices only arrive once the backend has started.
  bo.onNotice = (code, message) => emit({ type: 'warning', code, message });

  const force = new AbortController();
  const cancel = new AbortController();
  const onUserAbort = () => cancel.abort();
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  if (options.signal?.aborted) cancel.abort();
  const onAbandon = () => {
    cancel.abort();
    force.abort();
  };
  options.abandon?.addEventListener('abort', onAbandon, { once: true });
  if (options.abandon?.aborted) onAbandon();
  let sigints = 0;
  const onSigint = () => {
    sigints++;
    // First Ctrl-C: finish the batches in flight (≤ ~200 ms each) and stop. Second: abandon them.
    if (sigints === 1) cancel.abort();
    else force.abort();
  };
  if (options.handleSigint) process.on('SIGINT', onSigint);

  let backend: Backend | undefined;
  const emit = (e: Parameters<NonNullable<RunOptions['onEvent']>>[0]) => {
    try {
      options.onEvent?.(e);
    } catch {
      // listeners cannot break a run
    }
  };
  try {
    backend = (await backendFactory(backendName))(bo);
    await backend.start();
    const session = new BatchScheduler({
      spec: p.spec,
      specHash: p.hash,
      runId: p.runId,
      dir: p.dir,
      exp,
      cells: p.cells,
      store: p.store,
      backend,
      batch,
      resumed: p.resumed,
      signal: cancel.signal,
      force: force.signal,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    emit({
      type: 'run-started',
      runId: p.runId,
      dir: p.dir,
      name: p.spec.name,
      experiment: p.spec.experiment,
      specHash: p.hash,
      backend: backendName,
      workers: backend.concurrency,
      resumed: p.resumed,
      progress: session.progress(),
    });
    const end = await session.run();
    await backend.close();
    backend = undefined;
    const summary = buildSummary(p.spec, p.hash, exp, p.store, end.outcomes, p.specDir);
    const summaryPath = writeSummary(p.dir, summary);
    if (end.status === 'failed') {
      // A database error met while storing (a full disk, a damaged file) is said with its path and cause.
      const err = fileError(end.error, join(p.dir, DB_FILE), 'write the run database') as Error & { code?: string };
      emit({ type: 'run-done', status: 'failed', dir: p.dir, summaryPath, error: { code: err.code ?? 'E_BACKEND', message: err.message }, progress: end.progress });
      throw err;
    }
    emit({ type: 'run-done', status: end.status, dir: p.dir, summaryPath, progress: end.progress });
    return { status: end.status, dir: p.dir, summary, trialsRun: end.trialsRun, trialsUsed: end.trialsUsed, elapsedMs: end.progress.elapsedMs };
  } catch (e) {
    throw fileError(e, join(p.dir, DB_FILE), 'read or write the run database');
  } finally {
    if (options.handleSigint) process.off('SIGINT', onSigint);
    options.signal?.removeEventListener('abort', onUserAbort);
    options.abandon?.removeEventListener('abort', onAbandon);
    if (backend) await backend.close().catch(() => undefined);
    p.store.close();
  }
}

async function redactedRedisUrl(url: string): Promise<string> {
  const { redactUrl } = await import('../backends/bullmq/connection.js');
  return redactUrl(url);
}

/**
 * Run a sweep into a new run directory. Resolves when every cell is done (`complete`) or the
 * signal fired (`cancelled`, resumable). Throws SpecError (exit 2), OrchestratorError E_USAGE
 * (exit 2), TrialError (a batch failed or a theorem guard fired: exit 1, run left resumable).
 * Nothing is written when the spec is invalid.
 */
export async function runSweep(specInput: SpecInput | NormalisedSpec | string, options: RunOptions): Promise<RunResult> {
  const spec = await toSpec(specInput);
  const cells = expandCells(spec);
  const dir = resolve(options.outDir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new OrchestratorError('E_USAGE', `${dir}: the output directory exists and is not empty; choose a new directory, or resume the run there with resumeRun`);
  }
  if ((options.backend ?? spec.backend) === 'bullmq') {
    // A wrong URL, a wrong password or Redis being down must fail before anything is written.
    const { preflightBullmq } = await import('../backends/bullmq/index.js');
    await preflightBullmq(options.redis ?? spec.redis);
  }
  const created = !existsSync(dir);
  try {
    makeDirs(dir);
  } catch (e) {
    throw fileError(e, dir, 'create the run directory');
  }
  const hash = specHash(spec);
  const runId = randomUUID();
  // The stored copy never holds a Redis password (resume takes it from --redis / options.redis),
  // and names its files relative to the run directory (spec/file-paths.ts), as do its stored cells.
  const stored = storedFilePaths(spec.redis === undefined ? spec : { ...spec, redis: await redactedRedisUrl(spec.redis) }, dir);
  const keys = fileParamKeys(spec);
  const rel = (v: unknown): unknown => storedFileValue(v, dir);
  const storedCells = cells.map((c) => ({ ...c, axes: mapFileParams(c.axes, keys, rel), params: mapFileParams(c.params, keys, rel) }));
  // Where the spec's relative file values pointed from (its file's directory; for an object spec the
  // working directory), stored relative to the run directory: the summary names files from there.
  const specDir = specDirOf(spec) ?? process.cwd();
  const withDir = { ...stored, specDir: storedDir(specDir, dir) };
  // spec.json also names the run (its id is kept in the database too, and checked on resume).
  const file = { ...withDir, runId, ...(options.provenance ? { provenance: options.provenance } : {}) };
  let store: RunStore;
  try {
    writeFileAtomic(specPath(dir), `${JSON.stringify(file, null, 2)}\n`);
    store = RunStore.create(dir, withDir, hash, runId, storedCells);
  } catch (e) {
    // Nothing half-made stays behind: no run has started, so no file of it is kept.
    for (const f of [SPEC_FILE, DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`]) rmSync(join(dir, f), { force: true });
    if (created) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return execute({ dir, spec, hash, runId, cells, store, resumed: false, specDir }, options);
}

/** The spec keys that decide a run's results (what differs between two runs is named from these). */
const IDENTITY_KEYS = ['name', 'experiment', 'seed', 'grid', 'zip', 'fixed', 'stop', 'confidence'] as const;

function differingKeys(a: NormalisedSpec, b: NormalisedSpec): string[] {
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  return IDENTITY_KEYS.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
}

/**
 * The run's identity must agree between spec.json, the database and (for a part of a multi-spec
 * run) the manifest: a run.sqlite copied in from another run (another seed, another grid, or the
 * same spec run twice) must not be resumed as if it were this one. E_RUN_MISMATCH (exit 2).
 */
function checkIdentity(dir: string, dbSpec: NormalisedSpec, dbHash: string, dbRunId: string, expectedRunId?: { runId: string; source: string }): void {
  const path = specPath(dir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OrchestratorError('E_STORE', `${path}: cannot read the run's spec (${(e as Error).message}); the run database alone does not say which run this directory holds`, { cause: e });
  }
  // spec.json holds a normalised spec: its hash is computed as written (validating it again would
  // cost as much as the run's own validation; any difference shows in the hash).
  let fileSpec: NormalisedSpec;
  let fileHash: string;
  let fileRunId: unknown;
  try {
    // `provenance` records the code that ran and `runId` names the run: neither is in the spec hash.
    // `specDir` says where the spec's files were named from: not in the hash either.
    const { provenance: _provenance, runId, specDir: _specDir, ...parsed } = JSON.parse(text) as NormalisedSpec & { provenance?: unknown; runId?: unknown; specDir?: unknown };
    fileRunId = runId;
    fileSpec = absoluteFilePaths(parsed as NormalisedSpec, dir);
    fileHash = specHashMatches(fileSpec, dbHash) ? dbHash : specHash(fileSpec);
  } catch (e) {
    throw new OrchestratorError('E_STORE', `${path}: not a stored paradox spec (${(e as Error).message})`, { cause: e });
  }
  const refuse = 'refusing to resume (put back the run.sqlite of this run, or resume the run the database belongs to in its own directory)';
  if (fileHash !== dbHash) {
    const differing = differingKeys(fileSpec, dbSpec);
    const seeds = fileSpec.seed !== dbSpec.seed ? ` (seed ${fileSpec.seed} in spec.json, ${dbSpec.seed} in ${DB_FILE})` : '';
    throw new OrchestratorError(
      'E_RUN_MISMATCH',
      `${dir}: ${DB_FILE} belongs to another run than ${SPEC_FILE}${seeds}: spec hash ${dbHash.slice(0, 12)}… in the database, ` +
        `${fileHash.slice(0, 12)}… in ${SPEC_FILE}${differing.length > 0 ? `; they differ in ${differing.join(', ')}` : ''}; ${refuse}`,
    );
  }
  // Runs made before spec.json named its run carry no id there: the spec hash is all they can be checked by.
  if (typeof fileRunId === 'string' && fileRunId !== dbRunId) {
    throw new OrchestratorError(
      'E_RUN_MISMATCH',
      `${dir}: ${DB_FILE} belongs to another run than ${SPEC_FILE}: same spec and seed, but run id ${dbRunId} in the database and ${fileRunId} in ${SPEC_FILE} ` +
        `(a database copied from another run of the same spec); ${refuse}`,
    );
  }
  if (expectedRunId && expectedRunId.runId !== dbRunId) {
    throw new OrchestratorError(
      'E_RUN_MISMATCH',
      `${dir}: ${DB_FILE} belongs to another run than ${expectedRunId.source} says: run id ${dbRunId} in the database, ${expectedRunId.runId} in ${expectedRunId.source}; ${refuse}`,
    );
  }
}

/**
 * The first file a stored cell of the run names whose identity (name and content) is no longer the
 * one its stored key holds, said by `changedFile`; null when none is.
 */
function changedFileOf(dir: string, spec: NormalisedSpec, store: RunStore): ChangedFile | null {
  const keys = getExperiment(spec.experiment)?.fileParams ?? [];
  const abs = (v: unknown): unknown => absoluteFileValue(v, dir);
  for (const c of store.cells()) {
    const file = changedFile(c.key, mapFileParams(c.params, keys, abs), keys);
    if (file !== null) return file;
  }
  return null;
}

/** Finish an interrupted run: re-runs only missing batches; the result equals an uninterrupted run's bit for bit. */
export async function resumeRun(dirInput: string, options: ResumeOptions = {}): Promise<RunResult> {
  const dir = resolve(dirInput);
  const store = RunStore.open(dir);
  try {
    // The stored spec names its files relative to the run directory (spec/file-paths.ts); a run made
    // before that names them by absolute path and has no specDir (its summary names files from the run directory).
    const { specDir: storedSpecDir, ...storedSpec } = store.spec() as NormalisedSpec & { specDir?: unknown };
    const spec = absoluteFilePaths(storedSpec as NormalisedSpec, dir);
    const specDir = typeof storedSpecDir === 'string' ? resolve(dir, storedSpecDir) : dir;
    const hash = store.meta('specHash');
    const form = specHashMatches(spec, hash);
    if (form === false) {
      // The hash names files by content: an edited file is said as such, naming it.
      const file = changedFileOf(dir, spec, store);
      if (file !== null) throw new OrchestratorError('E_SPEC_MISMATCH', `${dir}: ${file.message}; its cells would draw other streams, so the run cannot be resumed: restore the file or start a new run`);
      throw new OrchestratorError('E_STORE', `${dir}: the stored spec does not match its stored hash`);
    }
    checkIdentity(dir, spec, hash, store.meta('runId'), options.expectRunId);
    if (options.spec !== undefined) {
      const given = await toSpec(options.spec);
      if (specHashMatches(given, hash) !== form) {
        const differing = differingKeys(spec, given);
        throw new OrchestratorError(
          'E_SPEC_MISMATCH',
          `${dir}: refusing to resume with a different spec (differs in: ${differing.join(', ') || 'key order'}); the stored spec is ${specPath(dir)}`,
        );
      }
    }
    // A damaged blob is found now, naming its cell and batch, not after the whole resume has run.
    store.verifyBlobs();
    const cells = expandCells(spec);
    const stored = store.cells();
    if (stored.length !== cells.length || stored.some((r, i) => r.key !== cells[i]?.key)) {
      // A cell names its files by content (spec/file-identity.ts): an edited plugin or data file is another cell.
      const i = stored.findIndex((r, j) => r.key !== cells[j]?.key);
      const file = i >= 0 && cells[i] ? changedFile(stored[i]!.key, cells[i]!.params, getExperiment(spec.experiment)?.fileParams ?? []) : null;
      // A run made before stored paths were relative names its files by absolute path: moved away from them, it cannot find them.
      const moved = form === 'paths' && file?.unreadable ? ' (this run was made by a paradox that stored absolute paths: put the project back where it was to resume it)' : '';
      if (file !== null) throw new OrchestratorError('E_SPEC_MISMATCH', `${dir}: ${file.message}; its cells would draw other streams, so the run cannot be resumed: restore the file or start a new run${moved}`);
      throw new OrchestratorError(
        'E_SPEC_MISMATCH',
        `${dir}: this build expands the stored spec into different cells than the run has (was it made by another paradox version?); cannot resume`,
      );
    }
    return await execute({ dir, spec, hash, runId: store.meta('runId'), cells, store, resumed: true, specDir }, options);
  } catch (e) {
    store.close();
    throw fileError(e, join(dir, DB_FILE), 'read the run database');
  }
}
