/** `paradox report DIR`: (re)write the HTML report when viz provides it, and print the headline. */
import { relative } from 'node:path';
import { emitJson, println } from '../context.js';
import { CliRuntimeError } from '../errors.js';
import { requireRunDir } from '../rundir.js';
import type { Command } from './types.js';

/** `paradox report`. */
export const reportCommand: Command = {
  spec: {
    name: 'report',
    summary: 'write report.html for a run (when the viz package provides it) and print the headline',
    details: 'Reads summary.json; the HTML report and its charts come from @paradox/viz. Without it,\nsummary.json and summary.csv are the report, and this says so.',
    positionals: [{ name: 'DIR', required: true, description: 'a run directory' }],
    options: { json: { type: 'boolean', description: 'print the headline as one JSON object per run' } },
    examples: ['paradox report runs/breakdown-20261125-131502'],
  },
  run: async (args, ctx) => {
    const dir = requireRunDir(ctx.cwd, args.positionals[0]!, 'report');
    const { readSummaries } = await import('../engine.js');
    const { headline, headlineText } = await import('../headline.js');
    const { writeReportIfAvailable } = await import('../report.js');
    const runs = await readSummaries(dir);
    if (runs.length === 0) throw new CliRuntimeError(`report: ${args.positionals[0]}: no sub-run has a summary.json yet (resume it first)`);
    let failed: string | undefined;
    for (const r of runs) {
      const rep = await writeReportIfAvailable(r.dir);
      // A report that viz provides but fails to write is a failure; viz being absent is not.
      if (!rep.ok && !rep.reason.startsWith('no HTML report')) failed = rep.reason;
      const h = headline(r.summary);
      const rel = relative(ctx.cwd, r.dir) || '.';
      if (args.values.json) {
        emitJson(ctx, { type: 'headline', run: r.label, dir: r.dir, ...h, report: rep.ok ? rep.path : null, reportUnavailable: rep.ok ? null : rep.reason });
        continue;
      }
      println(ctx.stdout);
      const lines = headlineText(h, rep.ok ? { dir: rel, report: relative(ctx.cwd, rep.path) } : { dir: rel, noReportReason: rep.reason });
      for (const l of lines) println(ctx.stdout, l);
    }
    if (failed) throw new CliRuntimeError(`report: ${failed}`);
    return 0;
  },
};
