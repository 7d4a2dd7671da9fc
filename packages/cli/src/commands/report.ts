/** `paradox report DIR`: (re)write the HTML report when viz provides it, and print the headline. */
import { CliRuntimeError } from '../errors.js';
import { readManifest, requireRunDir } from '../rundir.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

/** `paradox report`. */
export const reportCommand: Command = {
  spec: {
    name: 'report',
    summary: COMMAND_SUMMARIES.report,
    details: 'Reads summary.json; the HTML report and its charts come from @paradox/viz. Without it,\nsummary.json and summary.csv are the report, and this says so.',
    positionals: [{ name: 'DIR', required: true, description: 'a run directory' }],
    options: { json: { type: 'boolean', description: 'print the headline as one JSON object per run' } },
    examples: ['paradox report runs/breakdown-20261125-131502'],
  },
  run: async (args, ctx) => {
    const dir = requireRunDir(ctx.cwd, args.positionals[0]!, 'report');
    const { printHeadlines, readSummaries } = await import('../engine.js');
    const { headline } = await import('../headline.js');
    const { writeReportIfAvailable } = await import('../report.js');
    const runs = await readSummaries(dir);
    if (runs.length === 0) throw new CliRuntimeError(`report: ${args.positionals[0]}: no sub-run has a summary.json yet (resume it first)`);
    // One report for the whole directory: a multi-spec run (the demo) gets one page with every part.
    const rep = await writeReportIfAvailable(dir);
    const headlines = runs.map((r) => ({ label: r.label, dir: r.dir, headline: headline(r.summary), report: rep }));
    printHeadlines(ctx, { exitCode: 0, headlines }, args.values.json === true, readManifest(dir) ? dir : undefined);
    // A report that viz provides but fails to write is a failure; viz being absent is not.
    if (!rep.ok && !rep.reason.startsWith('no HTML report')) throw new CliRuntimeError(`report: ${rep.reason}`);
    return 0;
  },
};
