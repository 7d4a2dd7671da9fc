/**
 * The outcome messages a worker returns, built by worker/protocol.ts from the task: the shape the
 * bullmq queue accepts (`isOutcome`) with the task's identity and trial range.
 */
import { describe, expect, it } from 'vitest';
import { isOutcome } from '../src/backends/bullmq/queue.js';
import { encodeColumn } from '../src/worker/columns.js';
import { batchFailure, batchResult, deadlineFailure, PROTOCOL_VERSION, type BatchTask } from '../src/worker/protocol.js';

const task: BatchTask = {
  type: 'batch', protocol: PROTOCOL_VERSION, runId: 'r', cellIndex: 3, cellKey: 'k', cellHash32: 7, batchIndex: 5,
  experiment: 'noncomputability', params: {}, seed: 1, trialStart: 40, trialCount: 8, attempt: 1,
};

describe('outcome messages', () => {
  it('batchResult carries the task identity, its trial range and what the trials produced', () => {
    const columns = { x: encodeColumn(new Float64Array(8)) };
    const r = batchResult(task, { k: 2 }, columns, { worker: 'w', trialsMs: 1, wallMs: 2 });
    expect(r).toEqual({
      type: 'batch-result', protocol: PROTOCOL_VERSION, runId: 'r', cellIndex: 3, batchIndex: 5, trialStart: 40, trialCount: 8,
      counts: { k: 2 }, columns, timing: { worker: 'w', trialsMs: 1, wallMs: 2 },
    });
    expect(isOutcome(r)).toBe(true);
  });

  it('batchFailure and deadlineFailure carry the task identity and the error', () => {
    const error = { name: 'Error', message: 'boom', unrecoverable: true };
    const f = batchFailure(task, error);
    expect(f).toEqual({ type: 'batch-failure', protocol: PROTOCOL_VERSION, runId: 'r', cellIndex: 3, batchIndex: 5, error });
    expect(isOutcome(f)).toBe(true);
    const d = deadlineFailure({ ...task, deadlineMs: 2000 }, 'after 2 s');
    expect(d).toMatchObject({ type: 'batch-failure', runId: 'r', cellIndex: 3, batchIndex: 5, error: { code: 'E_DEADLINE', unrecoverable: true } });
    expect(isOutcome(d)).toBe(true);
  });
});
