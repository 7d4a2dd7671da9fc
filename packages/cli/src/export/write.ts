/**
 * Writing a table (the layout of `@paradox/orchestrator`'s `summaryTable`/`trialTable`) as CSV
 * (RFC 4180, lists as JSON arrays), JSON (an array of row objects, lists as arrays) or Parquet.
 * Parquet is written by DuckDB (`COPY … TO … (FORMAT parquet)`), one typed column per field:
 * VARCHAR, BOOLEAN, BIGINT, DOUBLE (NaN and ±Infinity kept), DOUBLE[] and VARCHAR[] lists, all
 * nullable. Rows are streamed: to a temporary file next to the target (CSV, JSON) or through a
 * temporary DuckDB database (Parquet), so memory does not grow with the number of trials. The
 * target appears only when complete (renamed into place): a failed export leaves nothing behind.
 */
import { closeSync, linkSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvLines, systemCause, tableStream, type Column, type RowStream, type Table } from '@paradox/orchestrator';

/** The export formats. */
export const FORMATS = ['csv', 'json', 'parquet'] as const;
/** One of `FORMATS`. */
export type Format = (typeof FORMATS)[number];

/**
 * Why writing `path` failed, in words, with the system's code (`EROFS`, `ENOSPC`, …), or
 * undefined when `err` is not a file-system error (the orchestrator's systemCause, the one
 * wording). DuckDB's I/O errors carry only text; the common ones are recognised by it.
 */
export function writeFailure(err: unknown): string | undefined {
  const known = systemCause(err);
  if (known !== undefined) return known;
  const msg = err instanceof Error ? err.message : '';
  if (/No space left on device/i.test(msg)) return systemCause({ code: 'ENOSPC' });
  if (/Read-only file system/i.test(msg)) return systemCause({ code: 'EROFS' });
  if (/Permission denied/i.test(msg)) return systemCause({ code: 'EACCES' });
  return undefined;
}

/** Rows per Parquet row group. */
export const ROW_GROUP = 50_000;

/** JSON has no literal for NaN or ±Infinity: they become null (the CSV and Parquet keep them). */
const finiteOrNull = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

/** JSON text, a row at a time: exactly `JSON.stringify(rows, …, 2)` of the whole array. */
function* jsonPieces(s: RowStream): Generator<string> {
  let first = true;
  for (const r of s.rows()) {
    const body = JSON.stringify(r, finiteOrNull, 2).replace(/\n/g, '\n  ');
    yield `${first ? '[\n  ' : ',\n  '}${body}`;
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

/** CSV text with a header row. */
export function toCsv(t: Table): string {
  return [...csvLines(tableStream(t))].join('');
}

/** JSON text: an array of row objects (non-finite numbers become null, as JSON requires). */
export function toJson(t: Table): string {
  return [...jsonPieces(tableStream(t))].join('');
}

/** Stream text pieces into a file, in writes of about 1 MB. */
function writeText(path: string, pieces: Iterable<string>): void {
  const fd = openSync(path, 'wx');
  try {
    let buf: string[] = [];
    let size = 0;
    for (const p of pieces) {
      buf.push(p);
      size += p.length;
      if (size >= 1 << 20) {
        writeSync(fd, buf.join(''));
        buf = [];
        size = 0;
      }
    }
    if (buf.length > 0) writeSync(fd, buf.join(''));
  } finally {
    closeSync(fd);
  }
}

const SQL_TYPES: Record<Column['type'], string> = {
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  int64: 'BIGINT',
  double: 'DOUBLE',
  'double[]': 'DOUBLE[]',
  'string[]': 'VARCHAR[]',
};

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Write the rows of `s` as Parquet to `path` through a temporary DuckDB database. */
async function writeParquet(s: RowStream, path: string, what: string, rowGroup: number): Promise<void> {
  const duck = await import('@duckdb/node-api');
  const scratch = mkdtempSync(join(tmpdir(), 'paradox-export-'));
  const instance = await duck.DuckDBInstance.create(join(scratch, 'export.duckdb'), { threads: '1' });
  try {
    const con = await instance.connect();
    try {
      await con.run(`CREATE TABLE t (${s.columns.map((c) => `${ident(c.name)} ${SQL_TYPES[c.type]}`).join(', ')})`);
      const appender = await con.createAppender('t');
      const listType = { 'double[]': duck.LIST(duck.DOUBLE), 'string[]': duck.LIST(duck.VARCHAR) } as const;
      const it = s.rows()[Symbol.iterator]();
      try {
        for (let r = it.next(); !r.done; r = it.next()) {
          const row = r.value;
          for (const c of s.columns) {
            const v = row[c.name] ?? null;
            if (v === null) appender.appendNull();
            else if (c.type === 'string') appender.appendVarchar(String(v));
            else if (c.type === 'boolean') appender.appendBoolean(v as boolean);
            else if (c.type === 'int64') appender.appendBigInt(BigInt(v as number));
            else if (c.type === 'double') appender.appendDouble(v as number);
            else appender.appendList(duck.listValue(v as Array<number | string>), listType[c.type]);
          }
          appender.endRow();
        }
      } finally {
        // On an error part-way, end the row source too (a run store's queries must close).
        it.return?.();
      }
      appender.closeSync();
      const meta = `KV_METADATA {created_by_paradox: ${literal(`paradox export (${what})`)}}`;
      await con.run(`COPY t TO ${literal(path)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${rowGroup}, ${meta})`);
    } finally {
      con.closeSync();
    }
  } finally {
    instance.closeSync();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Write the rows of `s` to `path` in `format` (`what` names the table in Parquet metadata;
 * Parquet row groups hold `rowGroup` rows). The file appears only when complete; an existing
 * file is replaced only with `force` (otherwise the call fails with EEXIST and writes nothing).
 * Returns the number of rows written.
 */
export async function writeRows(s: RowStream, format: Format, path: string, options: { what?: string; rowGroup?: number; force?: boolean } = {}): Promise<number> {
  let n = 0;
  const counted: RowStream = {
    ...s,
    *rows() {
      for (const r of s.rows()) {
        n++;
        yield r;
      }
    },
  };
  const partial = `${path}.partial-${process.pid}`;
  try {
    if (format === 'csv') writeText(partial, csvLines(counted));
    else if (format === 'json') writeText(partial, jsonPieces(counted));
    else {
      // Created here first, so that a directory we cannot write to fails with the system's reason.
      closeSync(openSync(partial, 'wx'));
      await writeParquet(counted, partial, options.what ?? 'summary table', options.rowGroup ?? ROW_GROUP);
    }
    if (options.force) renameSync(partial, path);
    else {
      // A hard link never replaces: EEXIST when the target appeared meanwhile.
      linkSync(partial, path);
      unlinkSync(partial);
    }
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
  return n;
}

/** Writes `t` to `path` in `format`. */
export async function writeTable(t: Table, format: Format, path: string, options: { force?: boolean } = {}): Promise<void> {
  await writeRows(tableStream(t), format, path, options);
}
