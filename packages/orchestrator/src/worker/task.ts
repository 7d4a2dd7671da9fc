/**
 * The batch task: what a piscina thread (local backend) or a `paradox worker` process (bullmq
 * backend) runs for one `BatchTask`. One WASM core per thread, instantiated on the first task
 * (from the module its pool compiled once, when given) and reused. A failing trial is returned as a `BatchFailure` (with the trial when known), never
 * thrown, so its code survives the trip; a rejected task means the thread itself died.
 */
import { loadCore, type Core } from '@paradox/core-wasm';
import { hostname } from 'node:os';
import { threadId, workerData } from 'node:worker_threads';
import type { ExperimentDefinition } from '../experiments/types.js';
import { getExperiment } from '../experiments/registry.js';
import { encodeColumn } from './columns.js';
import { TrialProgress } from './progress.js';
import { sharedCoreModule } from './shared-core.js';
import { batchFailure, batchResult, PROTOCOL_VERSION, serializeError, type BatchFailure, type BatchOutcome, type BatchTask, type EncodedColumn } from './protocol.js';

let corePromise: Promise<Core> | undefined;

/**
 * The thread's core, loaded once: instantiated from the module the pool compiled (workerData,
 * see shared-core.ts) when there is one, else read and compiled here. A failed load is retried on
 * the next task.
 */
function core(): Promise<Core> {
  if (!corePromise) {
    const source = sharedCoreModule(workerData);
    corePromise = loadCore(source ? { source } : {}).catch((e: unknown) => {
      corePromise = undefined;
      throw e;
    });
  }
  return corePromise;
}

const WORKER_ID = `${hostname()}:${process.pid}:${threadId}`;

function failure(task: BatchTask, e: unknown, unrecoverable: boolean): BatchFailure {
  return batchFailure(task, serializeError(e, unrecoverable));
}

/**
 * Build a task function over a way to look experiments up. Production uses the registry; test
 * fixtures wrap an experiment to make it fail on a chosen batch (test/fixtures/*.mjs).
 */
export function makeTask(lookup: (name: BatchTask['experiment']) => ExperimentDefinition | undefined = getExperiment) {
  return async function runBatchTask(task: BatchTask): Promise<BatchOutcome> {
    const t0 = performance.now();
    if (task?.type !== 'batch' || task.protocol !== PROTOCOL_VERSION) {
      return failure(task, new Error(`worker speaks protocol ${PROTOCOL_VERSION}, got a task of protocol ${String(task?.protocol)}`), true);
    }
    const progress = task.progress instanceof SharedArrayBuffer ? new TrialProgress(task.progress) : undefined;
    progress?.received();
    const exp = lookup(task.experiment);
    if (!exp) return failure(task, new Error(`this worker has no experiment ${JSON.stringify(task.experiment)}`), true);
    let c: Core;
    try {
      c = await core();
    } catch (e) {
      // Loading can fail transiently (file system, memory); the scheduler retries once.
      return failure(task, e, false);
    }
    const t1 = performance.now();
    let data;
    try {
      data = await exp.runBatch(c, task.params, {
        seed: task.seed,
        streamHi: task.cellHash32,
        tStart: task.trialStart,
        count: task.trialCount,
        ...(progress ? { onTrials: (first: number, last: number) => progress.mark(first, last) } : {}),
      });
    } catch (e) {
      // A trial that throws does so deterministically (same seed, same stream, same code): retrying cannot help.
      return failure(task, e, true);
    }
    const t2 = performance.now();
    const columns: Record<string, EncodedColumn> = {};
    for (const [name, values] of Object.entries(data.columns)) {
      if (values.length !== task.trialCount) {
        return failure(task, new Error(`experiment ${task.experiment} returned ${values.length} values for column ${name}, expected ${task.trialCount}`), true);
      }
      columns[name] = encodeColumn(values);
    }
    return batchResult(task, data.counts, columns, { worker: WORKER_ID, trialsMs: t2 - t1, wallMs: performance.now() - t0 });
  };
}

/** The task function piscina and `paradox worker` load. */
export default makeTask();
