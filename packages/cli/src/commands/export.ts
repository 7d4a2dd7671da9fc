/** `paradox export DIR --format csv|json|parquet`: the run's results as one flat table. */
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { choiceOption } from '../args.js';
import { println } from '../context.js';
import { CliRuntimeError, UsageError } from '../errors.js';
import { requireRunDir } from '../rundir.js';
import type { Command } from './types.js';

/** The export formats (kept here so parsing does not load the Parquet writer). */
const FORMATS = ['csv', 'json', 'parquet'] as const;

/** `paradox export`. */
export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: 'export a run\'s results as CSV, JSON or Parquet (per cell and ε, or per trial)',
    details:
      'Rows: one per (cell, ε) for noncomputability, one per cell for instability; nested statistics\n' +
      'become dotted columns (plus.cp.lo, dist.minus.median, radius@0.05.robustCert.mean), cell\n' +
      'parameters become param.* columns, and `run` names the sub-run in a multi-spec directory.',
    positionals: [{ name: 'DIR', required: true, description: 'a run directory' }],
    options: {
      format: { type: 'string', short: 'f', value: 'FORMAT', description: 'csv, json or parquet (required)' },
      out: { type: 'string', short: 'o', value: 'FILE', description: 'output file (default DIR/results.<format>, or trials.<format>; never overwritten)' },
      rows: { type: 'string', value: 'KIND', description: 'cells (default: the summary, one row per cell and ε) or trials (every stored trial)' },
    },
    examples: ['paradox export runs/breakdown-20261125-131502 --format parquet', 'paradox export runs/breakdown-20261125-131502 --format parquet --rows trials', 'paradox export runs/demo-20261125-131502 --format csv --out demo.csv'],
  },
  run: async (args, ctx) => {
    if (typeof args.values.format !== 'string') throw new UsageError(`export: --format is required: one of ${FORMATS.join(', ')}`, { command: 'export' });
    const format = choiceOption('export', 'format', args.values.format, FORMATS);
    const rows = typeof args.values.rows === 'string' ? choiceOption('export', 'rows', args.values.rows, ['cells', 'trials'] as const) : 'cells';
    const dir = requireRunDir(ctx.cwd, args.positionals[0]!, 'export');
    const out = typeof args.values.out === 'string' ? resolve(ctx.cwd, args.values.out) : join(dir, `${rows === 'trials' ? 'trials' : 'results'}.${format}`);
    if (existsSync(out)) throw new UsageError(`export: ${relative(ctx.cwd, out)} already exists; paradox never overwrites it (choose another --out)`, { command: 'export', code: 'E_OUT_EXISTS' });
    const { listRuns, readSummaries } = await import('../engine.js');
    const { summaryTable, tableRows, trialRows } = await import('../export/table.js');
    const { writeRows } = await import('../export/write.js');
    let written: number;
    let columns: number;
    if (rows === 'trials') {
      // Streamed from the run store: memory stays flat however many trials the sweep holds.
      const { openRunStore } = await import('@paradox/orchestrator');
      const stores = (await listRuns(dir)).map((r) => ({ label: r.label, store: openRunStore(r.dir) }));
      try {
        const stream = trialRows(stores);
        columns = stream.columns.length;
        written = writeRows(stream, format, out, 'trial table');
      } finally {
        for (const s of stores) s.store.close();
      }
    } else {
      const runs = await readSummaries(dir);
      if (runs.length === 0) throw new CliRuntimeError(`export: ${args.positionals[0]}: no summary.json yet (resume the run first)`);
      const table = summaryTable(runs);
      columns = table.columns.length;
      written = writeRows(tableRows(table), format, out);
    }
    println(ctx.stdout, `Wrote ${written} rows × ${columns} columns to ${relative(ctx.cwd, out)}`);
    return 0;
  },
};
