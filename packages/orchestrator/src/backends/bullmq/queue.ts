/**
 * What the orchestrator and `paradox worker` processes must agree on: the queue's name and key
 * prefix, the job options, and how a failed batch travels through BullMQ's `failedReason`.
 */
import type { JobsOptions } from 'bullmq';
import type { BatchFailure, BatchOutcome, BatchTask } from '../../worker/protocol.js';
import { PROTOCOL_VERSION } from '../../worker/protocol.js';

/** Settings both sides of the queue share. */
export interface QueueLocation {
  /** BullMQ queue name. Every run on one Redis shares it; job ids keep runs apart. */
  queueName?: string;
  /** BullMQ key prefix in Redis. */
  prefix?: string;
}

/** Defaults of {@link QueueLocation}. */
export const QUEUE_DEFAULTS = { queueName: 'paradox-batches', prefix: 'bull' } as const;

/** BullMQ job name of a batch (informational; workers accept only this name). */
export const JOB_NAME = 'batch';

/**
 * Options of every batch job. One attempt: retrying is the scheduler's decision (it retries a
 * crashed batch once), and a batch failure is deterministic. Stalled re-delivery (a dead worker)
 * is independent of attempts. Finished jobs are removed by the orchestrator once collected; the
 * age limits only clean up after orchestrators that never came back.
 */
export const JOB_OPTIONS: Readonly<JobsOptions> = {
  attempts: 1,
  removeOnComplete: { age: 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Prefix of a `failedReason` that carries a whole `BatchFailure` as JSON: the message survives the
 * queue, and so do `code`, `trial` and `unrecoverable`, which a plain error message would lose.
 */
export const FAILURE_MARKER = 'paradox-batch-failure ';

/** The `failedReason` text for a batch failure. */
export function encodeFailure(failure: BatchFailure): string {
  return FAILURE_MARKER + JSON.stringify(failure);
}

/** The `BatchFailure` inside a `failedReason`, or undefined when the job failed for another reason. */
export function decodeFailure(failedReason: string | undefined): BatchFailure | undefined {
  if (failedReason === undefined || !failedReason.startsWith(FAILURE_MARKER)) return undefined;
  try {
    const v = JSON.parse(failedReason.slice(FAILURE_MARKER.length)) as unknown;
    return isOutcome(v) && v.type === 'batch-failure' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** True for a JSON value shaped like a `BatchOutcome` of this protocol version. */
export function isOutcome(v: unknown): v is BatchOutcome {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Partial<BatchOutcome>;
  return (
    (o.type === 'batch-result' || o.type === 'batch-failure') &&
    o.protocol === PROTOCOL_VERSION &&
    typeof o.runId === 'string' &&
    typeof o.cellIndex === 'number' &&
    typeof o.batchIndex === 'number'
  );
}

/** True for a JSON value shaped like a `BatchTask` (what a worker accepts from the queue). */
export function isTask(v: unknown): v is BatchTask {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Partial<BatchTask>;
  return (
    t.type === 'batch' &&
    typeof t.runId === 'string' &&
    typeof t.cellIndex === 'number' &&
    typeof t.batchIndex === 'number' &&
    typeof t.trialStart === 'number' &&
    typeof t.trialCount === 'number'
  );
}
