/** `paradox worker --redis URL`: run batches from a BullMQ queue on this machine. */
import type { WorkerEvent, WorkerHandle } from '@paradox/orchestrator/worker';
import { intOption } from '../args.js';
import { println } from '../context.js';
import { UsageError } from '../errors.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';
import { redisFromCommandLine, redisPasswordFile, withRedisPassword } from './run.js';

/** One log line per worker event worth telling a person about (job starts/ends are counted, not logged). */
function describe(e: WorkerEvent): string | undefined {
  switch (e.type) {
    case 'worker-ready':
      return `Worker ${e.name} ready: ${e.concurrency} threads, queue ${e.queue} on ${e.redis}. Ctrl-C stops after the batches in flight.`;
    case 'job-failed':
      return `batch ${e.jobId} failed${e.unrecoverable ? ' (not retried)' : ''}: ${e.message}`;
    case 'job-returned':
      return `batch ${e.jobId} handed back to the queue`;
    case 'worker-error':
      return `worker error: ${e.message}`;
    case 'worker-stopping':
      return `Stopping: waiting for ${e.inFlight} batch${e.inFlight === 1 ? '' : 'es'} in flight (Ctrl-C again hands them back now)…`;
    case 'worker-stopped':
      return `Worker stopped after ${e.jobsDone} batches.`;
    default:
      return undefined;
  }
}

/** `paradox worker`. */
export const workerCommand: Command = {
  spec: {
    name: 'worker',
    summary: COMMAND_SUMMARIES.worker,
    details: 'Start any number of workers, then: paradox run SPEC --backend bullmq --redis URL.\nCtrl-C stops after the batches in flight; unfinished jobs are re-delivered to other workers.',
    positionals: [],
    options: {
      redis: { type: 'string', value: 'URL', description: 'Redis URL, e.g. redis://10.0.0.5:6379 (default $PARADOX_REDIS_URL, then $REDIS_URL)' },
      'redis-password-file': { type: 'string', value: 'FILE', description: 'read the Redis password from FILE (keeps it out of ps and shell history)' },
      concurrency: { type: 'string', short: 'c', value: 'N', description: 'batches at once = threads (default: number of cores)' },
    },
    examples: [
      'paradox worker --redis redis://127.0.0.1:6379',
      'paradox worker --redis redis://queue.lab:6379 --concurrency 8',
      'PARADOX_REDIS_URL=redis://queue.lab:6379 paradox worker --redis-password-file ~/.paradox-redis-password',
    ],
  },
  run: async (args, ctx) => {
    const url = redisFromCommandLine('worker', args.values);
    if (url === undefined) {
      throw new UsageError('worker: a Redis URL is required: --redis URL or $PARADOX_REDIS_URL (e.g. redis://127.0.0.1:6379)', { command: 'worker' });
    }
    const password = redisPasswordFile('worker', args.values, ctx.cwd);
    const redis = password === undefined ? url : withRedisPassword(url, password);
    const concurrency = typeof args.values.concurrency === 'string' ? intOption('worker', 'concurrency', args.values.concurrency, 1, 1024) : undefined;
    const controller = new AbortController();
    let signals = 0;
    let handle: WorkerHandle | undefined;
    const onSignal = (): void => {
      signals += 1;
      if (signals === 1) controller.abort();
      else void handle?.close({ force: true });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const { startWorker } = await import('@paradox/orchestrator/worker');
      handle = await startWorker({
        redis,
        signal: controller.signal,
        onEvent: (e) => {
          const line = describe(e);
          if (line) println(ctx.stderr, line);
        },
        ...(concurrency !== undefined ? { concurrency } : {}),
      });
      await handle.closed;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    return 0;
  },
};
