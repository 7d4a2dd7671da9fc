/**
 * Writing a table as CSV (RFC 4180), JSON (an array of row objects) or Parquet (hyparquet-writer,
 * one typed column per field: DOUBLE, BOOLEAN or UTF-8 STRING, nulls allowed).
 */
import { writeFileSync } from 'node:fs';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import type { Table, Value } from './table.js';

/** The export formats. */
export const FORMATS = ['csv', 'json', 'parquet'] as const;
/** One of `FORMATS`. */
export type Format = (typeof FORMATS)[number];

function csvField(v: Value): string {
  if (v === null) return '';
  // Non-finite floats have no CSV/JSON literal; the words are what pandas and R read back.
  const s = typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Inf' : v === -Infinity ? '-Inf' : String(v)) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text with a header row. */
export function toCsv(t: Table): string {
  const lines = [t.columns.map((c) => csvField(c)).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvField(r[c] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}

/** JSON text: an array of row objects (non-finite numbers become null, as JSON requires). */
export function toJson(t: Table): string {
  return `${JSON.stringify(t.rows, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}

type ColumnType = 'DOUBLE' | 'BOOLEAN' | 'STRING';

/** The Parquet type of a column: a single type among its non-null values (mixed columns become text). */
function columnType(t: Table, c: string): ColumnType {
  let type: ColumnType | undefined;
  for (const r of t.rows) {
    const v = r[c];
    if (v === null || v === undefined) continue;
    const k: ColumnType = typeof v === 'number' ? 'DOUBLE' : typeof v === 'boolean' ? 'BOOLEAN' : 'STRING';
    if (type === undefined) type = k;
    else if (type !== k) return 'STRING';
  }
  return type ?? 'STRING';
}

/** Parquet bytes of the table (snappy-compressed, with column statistics). */
export function toParquet(t: Table): Uint8Array {
  const columnData = t.columns.map((name) => {
    const type = columnType(t, name);
    const data = t.rows.map((r) => {
      const v = r[name] ?? null;
      if (v === null) return null;
      return type === 'STRING' ? String(v) : v;
    });
    return { name, data, type };
  });
  const writer = new ByteWriter();
  parquetWrite({ writer, columnData, kvMetadata: [{ key: 'created_by_paradox', value: 'paradox export (summary table)' }] });
  return new Uint8Array(writer.getBuffer());
}

/** Writes `t` to `path` in `format`. */
export function writeTable(t: Table, format: Format, path: string): void {
  if (format === 'csv') writeFileSync(path, toCsv(t));
  else if (format === 'json') writeFileSync(path, toJson(t));
  else writeFileSync(path, toParquet(t));
}
