/**
 * summary.json as one flat table for export: a row per (cell, ε) for noncomputability and a row
 * per cell for instability, with nested statistics flattened to dotted column names
 * (`plus.cp.lo`, `dist.minus.median`, `radius@0.05.robustCert.mean`). Columns are the union over
 * rows in first-seen order; a row without a column gets null.
 */
import type { CellSummary, Summary } from '@paradox/orchestrator';

/** A cell value: numbers, booleans, strings, or null when absent. */
export type Value = number | string | boolean | null;

/** A rectangular table with typed columns. */
export interface Table {
  columns: string[];
  rows: Array<Record<string, Value>>;
}

function isInterval(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
}

/** Flattens `value` into `out` under `prefix` (objects by key, intervals as lo/hi, other arrays as JSON text). */
export function flatten(value: unknown, prefix: string, out: Record<string, Value>): void {
  if (value === null || value === undefined) {
    out[prefix] = null;
  } else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    out[prefix] = value;
  } else if (isInterval(value)) {
    out[`${prefix}.lo`] = value[0];
    out[`${prefix}.hi`] = value[1];
  } else if (Array.isArray(value)) {
    // Architectures and parameter lists: one readable text cell (`4,8,1`).
    out[prefix] = value.every((x) => typeof x === 'number' || typeof x === 'string') ? value.join(',') : JSON.stringify(value);
  } else {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
}

/** The rows of one cell. */
function cellRows(run: string, index: number, cell: CellSummary): Array<Record<string, Value>> {
  const base: Record<string, Value> = { run, cellIndex: index };
  const { params, axes: _axes, ...rest } = cell;
  // Axes are a subset of params; params carry every parameter of the cell.
  flatten(params, 'param', base);
  if (cell.experiment === 'noncomputability') {
    const { eps, ...fields } = rest as Omit<typeof cell, 'params' | 'axes'>;
    flatten(fields, '', base);
    if (eps.length === 0) return [base];
    return eps.map((row) => {
      const r = { ...base };
      flatten(row, '', r);
      return r;
    });
  }
  const { radii, ...fields } = rest as Omit<typeof cell, 'params' | 'axes'>;
  flatten(fields, '', base);
  for (const row of radii) {
    const { radius, ...stats } = row;
    flatten(stats, `radius@${radius}`, base);
  }
  return [base];
}

/** The export table of several runs (a demo directory holds two): `run` names each row's run. */
export function summaryTable(runs: Array<{ label: string; summary: Summary }>): Table {
  const rows: Array<Record<string, Value>> = [];
  for (const { label, summary } of runs) summary.cells.forEach((c, i) => rows.push(...cellRows(label, i, c)));
  // Columns = union over rows in first-seen order; absent cells become null.
  const seen = new Set<string>();
  const columns: string[] = [];
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  for (const r of rows) for (const c of columns) if (!(c in r)) r[c] = null;
  return { columns, rows };
}

/** A run directory's per-trial store, as much of the orchestrator's `RunStoreReader` as export needs. */
export interface TrialSource {
  cells(): Array<{ index: number; axes: Record<string, unknown>; trialsDone: number }>;
  columns(cellIndex: number): string[];
  trials(cellIndex: number): Iterable<{ cellIndex: number; trial: number; values: Record<string, number> }>;
}

/** A table whose rows are produced one at a time (a sweep may hold 10^7 trials). */
export interface RowStream {
  /** Every column, in first-seen order over the rows. */
  columns: string[];
  /** The kind of each column's non-null values (`mixed`: more than one kind). */
  kinds: Record<string, ValueKind>;
  /** A fresh pass over the rows; every row has every column (absent ones null). */
  rows(): Iterable<Record<string, Value>>;
}

/** The kind of a column's non-null values. */
export type ValueKind = 'number' | 'boolean' | 'string' | 'mixed';

function kindOf(v: Value): ValueKind | undefined {
  if (v === null) return undefined;
  return typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
}

/** The kind of a column after seeing `v` (null changes nothing; a second kind makes it mixed). */
function mergeKind(kind: ValueKind | undefined, v: Value): ValueKind | undefined {
  const k = kindOf(v);
  return k === undefined || kind === undefined ? (kind ?? k) : kind === k ? kind : 'mixed';
}

/**
 * Per-trial rows: `run`, `cellIndex`, the cell's axis values (`axis.*`), `trial` and every stored
 * per-trial quantity. Missing values (a diverged training) stay NaN, as stored. The columns and
 * their kinds come from the cells and the stored column names, so the rows can be streamed: memory
 * does not grow with the number of trials. Cells without trials contribute no columns.
 */
export function trialRows(runs: Array<{ label: string; store: TrialSource }>): RowStream {
  const columns: string[] = [];
  const kinds: Record<string, ValueKind> = {};
  const see = (name: string, v: Value): void => {
    if (!(name in kinds)) columns.push(name);
    kinds[name] = mergeKind(kinds[name], v) ?? 'number';
  };
  const parts: Array<{ store: TrialSource; cellIndex: number; base: Record<string, Value>; names: string[] }> = [];
  for (const { label, store } of runs) {
    for (const cell of store.cells()) {
      if (cell.trialsDone === 0) continue;
      const base: Record<string, Value> = { run: label, cellIndex: cell.index };
      flatten(cell.axes, 'axis', base);
      const names = store.columns(cell.index);
      for (const [k, v] of Object.entries(base)) see(k, v);
      see('trial', 0);
      for (const n of names) see(n, 0);
      parts.push({ store, cellIndex: cell.index, base, names });
    }
  }
  return {
    columns,
    kinds,
    *rows() {
      for (const { store, cellIndex, base, names } of parts) {
        const stored = new Set(names);
        for (const t of store.trials(cellIndex)) {
          // Keys in column order, so every row (and every JSON object) lists the columns alike.
          const row: Record<string, Value> = {};
          for (const c of columns) {
            if (c in base) row[c] = base[c] as Value;
            else if (c === 'trial') row[c] = t.trial;
            else row[c] = stored.has(c) ? (t.values[c] ?? NaN) : null;
          }
          yield row;
        }
      }
    },
  };
}

/** A table held in memory as a row stream (the summary table is small). */
export function tableRows(t: Table): RowStream {
  const kinds: Record<string, ValueKind> = {};
  for (const c of t.columns) {
    let kind: ValueKind | undefined;
    for (const r of t.rows) kind = mergeKind(kind, r[c] ?? null);
    kinds[c] = kind ?? 'string';
  }
  return { columns: t.columns, kinds, rows: () => t.rows };
}
