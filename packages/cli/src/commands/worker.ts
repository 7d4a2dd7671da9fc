/** `paradox worker --redis URL`: run batches from a BullMQ queue on this machine. */
import * as orchestrator from '@paradox/orchestrator';
import { intOption } from '../args.js';
import { println } from '../context.js';
import { CliRuntimeError, UsageError } from '../errors.js';
import type { Command } from './types.js';

/** What `startWorker` (from @paradox/orchestrator's distributed backend) is expected to return. */
interface WorkerHandle {
  close(): Promise<void>;
  /** Resolves when the worker stops on its own (connection lost for good), if the backend reports it. */
  done?: Promise<unknown>;
}

type StartWorker = (options: { redis: string; concurrency?: number }) => Promise<WorkerHandle> | WorkerHandle;

/** `paradox worker`. */
export const workerCommand: Command = {
  spec: {
    name: 'worker',
    summary: 'process batches of a bullmq run from Redis (start one per machine)',
    details: 'Start any number of workers, then: paradox run SPEC --backend bullmq --redis URL.\nCtrl-C stops after the batches in flight; unfinished jobs are re-delivered to other workers.',
    positionals: [],
    options: {
      redis: { type: 'string', value: 'URL', description: 'Redis URL (required), e.g. redis://10.0.0.5:6379' },
      concurrency: { type: 'string', short: 'c', value: 'N', description: 'batches at once (default: number of cores)' },
    },
    examples: ['paradox worker --redis redis://127.0.0.1:6379', 'paradox worker --redis redis://queue.lab:6379 --concurrency 8'],
  },
  run: async (args, ctx) => {
    const redis = args.values.redis;
    if (typeof redis !== 'string') throw new UsageError('worker: --redis URL is required (e.g. --redis redis://127.0.0.1:6379)', { command: 'worker' });
    if (!/^rediss?:\/\/[^\s]+$/.test(redis)) throw new UsageError(`worker: --redis expects a URL like redis://127.0.0.1:6379, got '${redis}'`, { command: 'worker' });
    const concurrency = typeof args.values.concurrency === 'string' ? intOption('worker', 'concurrency', args.values.concurrency, 1, 1024) : undefined;
    const start = (orchestrator as Record<string, unknown>).startWorker;
    if (typeof start !== 'function') throw new CliRuntimeError('worker: the distributed backend is not available in this build (@paradox/orchestrator has no startWorker yet)', { code: 'E_UNAVAILABLE' });
    const handle = await (start as StartWorker)(concurrency !== undefined ? { redis, concurrency } : { redis });
    println(ctx.stderr, `Worker connected to ${redis.replace(/\/\/[^@/]*@/, '//***@')}${concurrency ? ` with concurrency ${concurrency}` : ''}; Ctrl-C to stop.`);
    await new Promise<void>((resolveStop) => {
      const stop = (): void => {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
        println(ctx.stderr, 'Stopping the worker after the batches in flight…');
        void handle.close().then(() => resolveStop());
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      void handle.done?.then(() => resolveStop());
    });
    return 0;
  },
};
