/** `paradox resume DIR`: finish an interrupted run; the result equals an uninterrupted run's. */
import type { Command } from './types.js';
import { readManifest, requireRunDir } from '../rundir.js';
import { RUN_OPTIONS, execOptions } from './run.js';

/** `paradox resume`. */
export const resumeCommand: Command = {
  spec: {
    name: 'resume',
    summary: 'finish an interrupted run (only missing batches run; results are bit-identical)',
    positionals: [{ name: 'DIR', required: true, description: 'the run directory to finish' }],
    options: Object.fromEntries(Object.entries(RUN_OPTIONS).filter(([k]) => ['workers', 'backend', 'redis', 'json'].includes(k))),
    examples: ['paradox resume runs/breakdown-20261125-131502', 'paradox resume runs/demo-20261125-131502 --workers 2'],
  },
  run: async (args, ctx) => {
    const exec = execOptions('resume', args.values);
    const dir = requireRunDir(ctx.cwd, args.positionals[0]!, 'resume');
    const { printHeadlines, resumeJobs, runJobs } = await import('../engine.js');
    const jobs = await resumeJobs(dir);
    const multi = readManifest(dir) !== undefined;
    const session = await runJobs(ctx, jobs, exec, multi ? dir : undefined);
    printHeadlines(ctx, session, exec.json, multi ? dir : undefined);
    return session.exitCode;
  },
};
