/** `paradox export DIR --format csv|json|parquet`: the run's results as one flat table. */
import { existsSync, statSync } from 'node:fs';
import type { RowStream } from '@paradox/orchestrator';
import { join, relative, resolve } from 'node:path';
import { choiceOption } from '../args.js';
import { command, println } from '../context.js';
import { CliRuntimeError, UsageError } from '../errors.js';
import { readManifest, requireRunDir } from '../rundir.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

/** The export formats (kept here so parsing does not load the Parquet writer). */
const FORMATS = ['csv', 'json', 'parquet'] as const;

/** `paradox export`. */
export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: COMMAND_SUMMARIES.export,
    details:
      'Rows: one per (cell, ε) for noncomputability, one per (cell, radius) for instability and analyse, or one per\n' +
      'trial with --rows trials. Every row starts with run, cell, cellId, complete and one column per\n' +
      'axis parameter; nested statistics become dotted columns (plus.cp.lo, dist.minus.median); params\n' +
      'holds all the cell\'s parameters as JSON. The schema is in the CLI README (Export format).',
    positionals: [{ name: 'DIR', required: true, description: 'a run directory' }],
    options: {
      format: { type: 'string', short: 'f', value: 'FORMAT', description: 'csv, json or parquet (required)' },
      out: { type: 'string', short: 'o', value: 'FILE', description: 'output file (default DIR/results.<format>, or trials.<format>)' },
      force: { type: 'boolean', description: 'replace the output file if it exists (without it, an existing file is an error)' },
      rows: { type: 'string', value: 'KIND', description: 'cells (default: the summary, one row per cell and ε) or trials (every stored trial)' },
    },
    examples: ['paradox export runs/breakdown-20261125-131502 --format parquet', 'paradox export runs/breakdown-20261125-131502 --format parquet --rows trials', 'paradox export runs/demo-20261125-131502 --format csv --out demo.csv'],
  },
  run: async (args, ctx) => {
    if (typeof args.values.format !== 'string') throw new UsageError(`export: --format is required: one of ${FORMATS.join(', ')}`, { command: 'export' });
    const format = choiceOption('export', 'format', args.values.format, FORMATS);
    const rows = typeof args.values.rows === 'string' ? choiceOption('export', 'rows', args.values.rows, ['cells', 'trials'] as const) : 'cells';
    const force = args.values.force === true;
    const dir = requireRunDir(ctx.cwd, args.positionals[0]!, 'export');
    const out = typeof args.values.out === 'string' ? resolve(ctx.cwd, args.values.out) : join(dir, `${rows === 'trials' ? 'trials' : 'results'}.${format}`);
    const shown = relative(ctx.cwd, out) || out;
    if (existsSync(out) && !force) throw new UsageError(`export: ${shown} already exists; add --force to replace it, or choose another --out`, { command: 'export', code: 'E_OUT_EXISTS' });
    if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`export: ${shown} is a directory; --out names the file to write`, { command: 'export', code: 'E_OUT_EXISTS' });
    const { listRuns, readSummaries } = await import('../engine.js');
    const { summaryTable, tableStream, trialTable } = await import('@paradox/orchestrator');
    const { writeRows, writeFailure } = await import('../export/write.js');
    const write = async (stream: RowStream, what: string): Promise<number> => {
      try {
        return await writeRows(stream, format, out, { what, force });
      } catch (e) {
        const cause = writeFailure(e);
        if (cause === undefined) throw e;
        throw new CliRuntimeError(`export: cannot write ${shown}: ${cause}`, { code: 'E_EXPORT_WRITE', cause: e });
      }
    };
    let written: number;
    let columns: number;
    let incomplete: Array<{ label: string; done: number; total: number }>;
    if (rows === 'trials') {
      // Streamed from the run store: memory stays flat however many trials the sweep holds.
      const { openRunStore } = await import('@paradox/orchestrator');
      const stores = (await listRuns(dir)).map((r) => ({ label: r.label, store: openRunStore(r.dir) }));
      try {
        incomplete = stores.map(({ label, store }) => {
          const cells = store.cells();
          return { label, done: cells.filter((c) => c.done).length, total: cells.length };
        });
        const stream = trialTable(stores);
        columns = stream.columns.length;
        written = await write(stream, 'trial table');
      } finally {
        for (const s of stores) s.store.close();
      }
    } else {
      const runs = await readSummaries(dir);
      if (runs.length === 0) throw new CliRuntimeError(`export: ${args.positionals[0]}: no summary.json yet (${command(ctx, `resume ${args.positionals[0]}`)} first)`);
      incomplete = runs.map((r) => ({ label: r.label, done: r.summary.run.cellsComplete, total: r.summary.run.cellsTotal }));
      const table = summaryTable(runs);
      columns = table.columns.length;
      written = await write(tableStream(table), 'summary table');
    }
    for (const r of incomplete.filter((x) => x.done < x.total)) {
      println(
        ctx.stderr,
        `warning: ${r.label} is incomplete (${r.done} of ${r.total} cells finished): its other rows have complete = false; finish it with: ${command(ctx, `resume ${args.positionals[0]}`)}`,
      );
    }
    println(ctx.stdout, `Wrote ${written} rows × ${columns} columns to ${shown}`);
    const missing = await unfinishedParts(dir);
    if (missing.length > 0) {
      const rel = relative(ctx.cwd, dir) || '.';
      println(
        ctx.stderr,
        `warning: ${rel} is a multi-part run that is not finished (${missing.join(', ')}); the export holds only the finished work. ` +
          `Finish it with: ${command(ctx, `resume ${rel}`)}`,
      );
    }
    return 0;
  },
};

/** The parts of a multi-spec run directory that are not complete (`name (not started)` / `name (incomplete)`); [] for a single run. */
async function unfinishedParts(dir: string): Promise<string[]> {
  const manifest = readManifest(dir);
  if (!manifest) return [];
  const { readSummary } = await import('@paradox/orchestrator');
  const out: string[] = [];
  for (const r of manifest.runs) {
    const sub = join(dir, r.subdir);
    if (!existsSync(join(sub, 'summary.json'))) {
      out.push(`${r.name} (${existsSync(sub) ? 'no summary yet' : 'not started'})`);
      continue;
    }
    const summary = await readSummary(sub).catch(() => undefined);
    if (!summary?.run.complete) out.push(`${r.name} (incomplete)`);
  }
  return out;
}
