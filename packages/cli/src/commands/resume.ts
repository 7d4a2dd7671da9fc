/** `paradox resume DIR`: finish an interrupted run; the result equals an uninterrupted run's. */
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { partOf } from '@paradox/orchestrator/run-dir';
import { command, emitJson, println } from '../context.js';
import { withEarlyPool } from '../early-pool.js';
import { readManifest, requireRunDir } from '../rundir.js';
import { RUN_OPTIONS, execOptions, sessionRedis } from './run.js';
import type { ExecOptions } from '../engine.js';
import { provenance } from '../version.js';

/**
 * The stored spec of a run directory or of its first part, read as plain JSON (no validation: the
 * resume checks it fully later), or undefined when it cannot be read.
 */
function storedSpec(dir: string): Record<string, unknown> | undefined {
  const first = readManifest(dir)?.runs[0];
  if (first) return first.spec;
  try {
    const spec: unknown = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    return spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The stored spec's `redis:` (without its password) of a run directory or of its first part. */
function storedRedis(dir: string): string | undefined {
  const spec = storedSpec(dir);
  return typeof spec?.redis === 'string' ? spec.redis : undefined;
}

/**
 * The worker threads a resume of `dir` will run on, read cheaply before the run is loaded so its
 * pool can boot meanwhile: `--workers`, else the stored spec's `workers` (`auto` when absent), or
 * undefined when it runs on bullmq (`--backend`, else the stored spec's `backend`). A guess only:
 * a resume that turns out to need another count (a later part's spec) starts its own pool.
 */
export function resumePoolWorkers(dir: string, exec: Pick<ExecOptions, 'backend' | 'workers'>): number | 'auto' | undefined {
  const spec = storedSpec(dir);
  const backend = exec.backend ?? spec?.backend ?? 'local';
  if (backend !== 'local') return undefined;
  if (exec.workers !== undefined) return exec.workers;
  const stored = spec?.workers;
  return typeof stored === 'number' && Number.isInteger(stored) && stored >= 1 ? stored : 'auto';
}

/** `paradox resume`. */
export const resumeCommand: Command = {
  spec: {
    name: 'resume',
    summary: COMMAND_SUMMARIES.resume,
    positionals: [{ name: 'DIR', required: true, description: 'the run directory to finish' }],
    options: Object.fromEntries(Object.entries(RUN_OPTIONS).filter(([k]) => ['workers', 'backend', 'redis', 'redis-password-file', 'json'].includes(k))),
    examples: ['paradox resume runs/breakdown-20261125-131502', 'paradox resume runs/demo-20261125-131502 --workers 2'],
  },
  run: async (args, ctx) => {
    // The code that finishes the run is compared with the code that started it: git answers meanwhile.
    void provenance();
    const exec = execOptions('resume', args.values, ctx.cwd);
    let dir = requireRunDir(ctx.cwd, args.positionals[0]!, 'resume');
    const part = partOf(dir);
    if (part) {
      // A part alone would finish that part and never start the ones after it: finish the whole run.
      const rel = (p: string): string => relative(ctx.cwd, p) || '.';
      const parts = part.manifest.runs.map((r) => r.name).join(', ');
      const msg =
        `${rel(dir)} is the part "${part.part.name}" of the multi-part run ${rel(part.top)} (parts: ${parts}); ` +
        `resuming the whole run, as ${command(ctx, `resume ${rel(part.top)}`)} does`;
      if (exec.json) emitJson(ctx, { type: 'notice', message: msg });
      else println(ctx.stderr, msg);
      dir = part.top;
    }
    const redis = sessionRedis('resume', exec, exec.redisPassword !== undefined ? storedRedis(dir) : undefined);
    if (redis !== undefined) exec.redis = redis;
    // As `run` does: a local resume's worker threads boot while the run directory is loaded and
    // checked; the run adopts them (or, needing another count, destroys them and starts its own).
    // Not adopted (the resume failed to load, or had nothing left to run), the pool is released.
    return withEarlyPool(resumePoolWorkers(dir, exec), async () => {
      const { printHeadlines, resumeJobs, runJobs } = await import('../engine.js');
      const jobs = await resumeJobs(dir);
      const multi = readManifest(dir) !== undefined;
      const session = await runJobs(ctx, jobs, exec, multi ? dir : undefined);
      printHeadlines(ctx, session, exec.json, multi ? dir : undefined);
      return session.exitCode;
    });
  },
};
