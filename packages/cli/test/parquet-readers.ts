/**
 * Two Parquet readers that share no code with the writer (DuckDB) nor with each other: hyparquet
 * (a JavaScript decoder) and parquet-wasm (Apache Arrow's Rust `parquet` crate compiled to
 * WebAssembly) handing Arrow IPC to the Arrow JS reader. Both return plain rows: INT64 as numbers
 * (exact below 2^53), lists as arrays. Also a small RFC 4180 reader for the CSV side.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC, type Table, type TypeMap } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import { readParquet } from 'parquet-wasm';

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`INT64 ${v} is beyond exact doubles`);
    return Number(v);
  }
  if (v !== null && typeof v === 'object' && Symbol.iterator in v && typeof v !== 'string') return Array.from(v as Iterable<unknown>, plain);
  return v;
}

function plainRow(r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]));
}

/** The rows of a Parquet file, read by hyparquet. */
export async function readWithHyparquet(path: string): Promise<Array<Record<string, unknown>>> {
  const buf = readFileSync(path);
  const rows = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) });
  return rows.map(plainRow);
}

function arrowTable(path: string): Table {
  return tableFromIPC<TypeMap>(readParquet(new Uint8Array(readFileSync(path))).intoIPCStream());
}

/** The rows of a Parquet file, read by arrow-rs (parquet-wasm) into Arrow JS. */
export function readWithArrow(path: string): Array<Record<string, unknown>> {
  const t = arrowTable(path);
  const names = t.schema.fields.map((f) => f.name);
  // A column's iterator yields null for null slots (its typed array would show 0).
  const cols = names.map((n) => Array.from(t.getChild(n)!, plain));
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < t.numRows; i++) rows.push(Object.fromEntries(names.map((n, j) => [n, cols[j]![i]])));
  return rows;
}

/** The Arrow type of each column of a Parquet file (`Bool`, `Int64`, `Float64`, `Utf8`, `List<Float64>`). */
export function arrowTypes(path: string): Record<string, string> {
  return Object.fromEntries(arrowTable(path).schema.fields.map((f) => [f.name, String(f.type)]));
}

/** A small RFC 4180 reader, enough to check the writers independently. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string;
    if (text[i] === '"') {
      // A quoted field: up to the quote not followed by another quote.
      let j = i + 1;
      field = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error('unterminated quoted field');
        field += text.slice(j, q);
        if (text[q + 1] === '"') {
          field += '"';
          j = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n') j++;
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (text[i] === ',') i++;
    else {
      rows.push(row);
      row = [];
      i++;
    }
  }
  return rows;
}
