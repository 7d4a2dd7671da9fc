/**
 * Environment and timings for the report. The run store records, per batch, which worker ran it
 * and how long its trials took; the machine that writes the report is described too (labelled as
 * such: the run may have been computed elsewhere).
 */
import { cpus, platform, release, totalmem } from 'node:os';

/** Timings of a run read from its store, or a reason they are unavailable. */
export interface RunTimings {
  batches: number;
  /** Batches that were retried after a failure or crash. */
  retried: number;
  /** Distinct workers (threads or machines) that ran batches. */
  workers: number;
  /** Sum over batches of the time spent in trials (worker-seconds). */
  trialSeconds: number;
  trials: number;
  /** Trials per worker-second. */
  trialsPerWorkerSecond: number;
}

/** Read per-batch timings through the orchestrator's run store API (read-only). */
export async function readRunTimings(dir: string): Promise<RunTimings> {
  const { openRunStore } = await import('@paradox/orchestrator/run-dir');
  const store = openRunStore(dir);
  try {
    const rows = store.batches();
    const trialMs = rows.reduce((s, b) => s + b.trialsMs, 0);
    const trials = rows.reduce((s, b) => s + b.trialCount, 0);
    return {
      batches: rows.length,
      retried: rows.filter((b) => b.attempt > 1).length,
      workers: new Set(rows.map((b) => b.worker)).size,
      trialSeconds: trialMs / 1000,
      trials,
      trialsPerWorkerSecond: trialMs > 0 ? trials / (trialMs / 1000) : NaN,
    };
  } finally {
    store.close();
  }
}

/** Facts for the report's "environment and timings" section. */
export async function timingFacts(dir: string): Promise<Record<string, unknown>> {
  const facts: Record<string, unknown> = {};
  try {
    const t = await readRunTimings(dir);
    facts['batches stored'] = t.batches;
    facts['batches retried'] = t.retried;
    facts['workers that ran batches'] = t.workers;
    facts['trial time (worker-seconds)'] = Number(t.trialSeconds.toFixed(2));
    facts['trials per worker-second'] = Math.round(t.trialsPerWorkerSecond);
  } catch (e) {
    facts['run store'] = `unavailable (${(e as Error).message.split('\n')[0]})`;
  }
  const cpu = cpus();
  facts['report written on'] = `${platform()} ${release()}, Node ${process.versions.node}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`;
  return facts;
}
