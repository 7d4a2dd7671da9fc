/**
 * The flat-table layout of a run's results: the one owner of the columns of `summary.csv` and of
 * every `paradox export` (CSV, JSON and Parquet share this schema). Two tables:
 *
 * - the summary table, a row per (cell, ε) for noncomputability and per (cell, radius) for
 *   instability, nested statistics as dotted columns (`plus.cp.lo`, `dist.minus.median`);
 * - the trial table, a row per stored trial with every per-trial quantity.
 *
 * Both start with `run`, `cell` (the cell's index), `cellId` (a short id of the canonical cell
 * key), `complete` and one column per axis parameter (`algorithm`, `K`, …: a parameter that is
 * also a result field is that one column); the summary table ends with `params`, every parameter
 * of the cell as one JSON object. Columns are typed (`ColumnType`); a list is a list, not text.
 */
import { createHash } from 'node:crypto';
import type { CellSummary, Summary } from './types.js';

/** The type of a column: what Parquet stores (BOOLEAN, BIGINT, DOUBLE, VARCHAR, LIST) and CSV/JSON show. */
export type ColumnType = 'string' | 'boolean' | 'int64' | 'double' | 'double[]' | 'string[]';

/** A value of a row: null when absent; numbers may be NaN or ±Infinity in `double` columns. */
export type Value = string | number | boolean | null | number[] | string[];

/** A named, typed column. */
export interface Column {
  name: string;
  type: ColumnType;
}

/** A table whose rows are produced one at a time (a sweep may hold 10^7 trials). */
export interface RowStream {
  columns: Column[];
  /** A fresh pass over the rows; every row has every column (absent ones null), in column order. */
  rows(): Iterable<Record<string, Value>>;
}

/** A table held in memory. */
export interface Table {
  columns: Column[];
  rows: Array<Record<string, Value>>;
}

/** The short id of a cell: the first 12 hex digits of SHA-256 of its canonical cell key. */
export function cellId(cellKey: string): string {
  return createHash('sha256').update(cellKey).digest('hex').slice(0, 12);
}

/** Result fields whose values are counts (Parquet INT64: they can pass 2^53 / 2 in a long sweep). */
const COUNTS = new Set(['cell', 'trial', 'trials', 'diverged', 'f3.applies', 'f3.holds']);

function isCount(name: string): boolean {
  return COUNTS.has(name) || /(^|\.)(k|n)$/.test(name);
}

/** The type of a column from its non-null values; `declared` is the type of a numeric result field. */
function inferType(values: Iterable<Value>, declared?: 'int64' | 'double'): ColumnType {
  const kinds = new Set<string>();
  let integral = true;
  for (const v of values) {
    if (v === null) continue;
    if (typeof v === 'number') {
      kinds.add('number');
      if (!Number.isSafeInteger(v)) integral = false;
    } else if (Array.isArray(v)) kinds.add(v.every((x) => typeof x === 'number') ? 'number[]' : v.every((x) => typeof x === 'string') ? 'string[]' : 'other');
    else kinds.add(typeof v);
  }
  if (kinds.size === 1) {
    const k = [...kinds][0];
    if (k === 'number') return declared === 'int64' && integral ? 'int64' : declared === 'double' || !integral ? 'double' : 'int64';
    if (k === 'number[]') return 'double[]';
    if (k === 'string[]') return 'string[]';
    if (k === 'boolean') return 'boolean';
  }
  // Text, nothing but nulls, or a mix of kinds: text.
  return 'string';
}

/** `v` as a value of a column of type `type` (a mix of kinds becomes text; other lists JSON text). */
function coerce(v: Value, type: ColumnType): Value {
  if (v === null) return null;
  if (type !== 'string') return v;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** An axis or parameter value as a `Value` (lists of numbers or strings stay lists; anything else is JSON text). */
function asValue(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && (v.every((x) => typeof x === 'number') || v.every((x) => typeof x === 'string'))) return v as Value;
  return JSON.stringify(v);
}

function isInterval(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number';
}

/** Flattens a result value into `out` under `prefix`: objects by dotted key, intervals as `.lo`/`.hi`. */
function flatten(value: unknown, prefix: string, out: Record<string, Value>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (isInterval(value)) {
    out[`${prefix}.lo`] = value[0];
    out[`${prefix}.hi`] = value[1];
  } else out[prefix] = asValue(value);
}

/** The columns every row starts with. */
function leadRow(run: string, index: number, key: string, complete: boolean, axes: Record<string, unknown>): Record<string, Value> {
  const row: Record<string, Value> = { run, cell: index, cellId: cellId(key), complete };
  for (const [k, v] of Object.entries(axes)) row[k] = asValue(v);
  return row;
}

/** The rows of one summary cell (the per-ε or per-radius rows, or one row when there are none). */
function cellRows(run: string, index: number, cell: CellSummary): Array<Record<string, Value>> {
  const base = leadRow(run, index, cell.cellKey, cell.complete, cell.axes);
  const { cellKey: _key, axes: _axes, params, complete: _complete, ...rest } = cell;
  const perRow = cell.experiment === 'noncomputability' ? cell.eps : cell.experiment === 'verify' ? [] : cell.radii;
  const fields: Record<string, unknown> = { ...rest };
  delete fields[cell.experiment === 'noncomputability' ? 'eps' : 'radii'];
  const scalar: Record<string, Value> = {};
  flatten(fields, '', scalar);
  // An axis that is also a result field (algorithm, K, m, …) is one column.
  for (const [k, v] of Object.entries(scalar)) if (!(k in base)) base[k] = v;
  const tail = { params: JSON.stringify(params) };
  if (perRow.length === 0) return [{ ...base, ...tail }];
  return (perRow as unknown[]).map((item) => {
    const r: Record<string, Value> = { ...base };
    flatten(item, '', r);
    return { ...r, ...tail };
  });
}

/**
 * Columns of `rows` in first-seen order (`params` last), rows completed with nulls. Columns named
 * in `axes` are typed from their values; numeric result columns are INT64 for counts, else DOUBLE.
 */
function typed(rows: Array<Record<string, Value>>, axes: Set<string>): Table {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) {
    seen.add(k);
    names.push(k);
  }
  // `params` last: the long JSON column.
  const ordered = [...names.filter((n) => n !== 'params'), ...(seen.has('params') ? ['params'] : [])];
  const columns = ordered.map((name) => ({ name, type: inferType((function* () { for (const r of rows) yield r[name] ?? null; })(), axes.has(name) ? undefined : isCount(name) ? 'int64' : 'double') }));
  const out = rows.map((r) => Object.fromEntries(columns.map((c) => [c.name, coerce(r[c.name] ?? null, c.type)])));
  return { columns, rows: out };
}

/**
 * The summary table of one or more runs (a demo directory holds two): a row per (cell, ε) or
 * (cell, radius), `run` naming each row's run.
 */
export function summaryTable(runs: Array<{ label: string; summary: Summary }>): Table {
  const rows: Array<Record<string, Value>> = [];
  for (const { label, summary } of runs) summary.cells.forEach((c, i) => rows.push(...cellRows(label, i, c)));
  // Axes take their type from their values; result fields are counts (INT64) or DOUBLE.
  return typed(rows, new Set(runs.flatMap((r) => r.summary.cells.flatMap((c) => Object.keys(c.axes)))));
}

/** A run's per-trial store, as much of `RunStoreReader` as the trial table needs. */
export interface TrialSource {
  cells(): Array<{ index: number; key: string; axes: Record<string, unknown>; trialsDone: number; done: boolean }>;
  columns(cellIndex: number): string[];
  trials(cellIndex: number): Iterable<{ trial: number; values: Record<string, number> }>;
}

/**
 * The trial table: `run`, `cell`, `cellId`, `complete`, the axes, `trial` and every stored
 * per-trial quantity (DOUBLE; NaN where a trial has none, e.g. a diverged training). The columns
 * come from the cells and the stored column names, so the rows are streamed: memory does not
 * grow with the number of trials. Cells without trials contribute no rows and no columns.
 */
export function trialTable(runs: Array<{ label: string; store: TrialSource }>): RowStream {
  const parts: Array<{ store: TrialSource; cellIndex: number; base: Record<string, Value>; names: string[] }> = [];
  const lead: Array<Record<string, Value>> = [];
  const quantities: string[] = [];
  for (const { label, store } of runs) {
    for (const cell of store.cells()) {
      if (cell.trialsDone === 0) continue;
      const base = leadRow(label, cell.index, cell.key, cell.done, cell.axes);
      const names = store.columns(cell.index);
      for (const n of names) if (!quantities.includes(n)) quantities.push(n);
      lead.push(base);
      parts.push({ store, cellIndex: cell.index, base, names });
    }
  }
  const head = typed(lead, new Set(lead.flatMap((r) => Object.keys(r).slice(4)))).columns;
  const taken = new Set(head.map((c) => c.name));
  const clash = quantities.find((q) => taken.has(q) || q === 'trial');
  if (clash !== undefined) throw new Error(`trial table: a per-trial quantity is named like a column it would replace: ${clash}`);
  const columns: Column[] = [...head, { name: 'trial', type: 'int64' }, ...quantities.map((name) => ({ name, type: 'double' as const }))];
  return {
    columns,
    *rows() {
      for (const { store, cellIndex, base, names } of parts) {
        const stored = new Set(names);
        const lead = Object.fromEntries(head.map((c) => [c.name, coerce(base[c.name] ?? null, c.type)]));
        for (const t of store.trials(cellIndex)) {
          const row: Record<string, Value> = { ...lead, trial: t.trial };
          for (const q of quantities) row[q] = stored.has(q) ? (t.values[q] ?? NaN) : null;
          yield row;
        }
      }
    },
  };
}

/** A table held in memory as a row stream. */
export function tableStream(t: Table): RowStream {
  return { columns: t.columns, rows: () => t.rows };
}

/** A number as CSV/JSON-free text: NaN, Inf and -Inf are what pandas, Polars and R read back. */
function numberText(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Inf' : v === -Infinity ? '-Inf' : String(v);
}

/** A value as CSV text, before quoting: lists as JSON arrays (non-finite numbers as their words, in quotes), null empty. */
export function valueText(v: Value): string {
  if (v === null) return '';
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'number' ? (Number.isFinite(x) ? String(x) : JSON.stringify(numberText(x))) : JSON.stringify(x))).join(',')}]`;
  return typeof v === 'number' ? numberText(v) : String(v);
}

/** One CSV field: `valueText`, quoted when it holds a comma, quote or line break. */
export function csvField(v: Value): string {
  const s = valueText(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text (RFC 4180), a line at a time, header first. */
export function* csvLines(s: RowStream): Generator<string> {
  const names = s.columns.map((c) => c.name);
  yield `${names.map((c) => csvField(c)).join(',')}\n`;
  for (const r of s.rows()) yield `${names.map((c) => csvField(r[c] ?? null)).join(',')}\n`;
}

/** `summary.csv`: the summary table of one run, as CSV (the same layout as `paradox export --format csv`). */
export function summaryCsv(summary: Summary): string {
  return [...csvLines(tableStream(summaryTable([{ label: summary.run.name, summary }])))].join('');
}
