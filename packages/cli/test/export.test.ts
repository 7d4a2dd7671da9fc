import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellId, csvField, valueText, summaryCsv, summaryTable, tableStream, trialTable, type RowStream, type Summary, type TrialSource, type Value } from '@paradox/orchestrator';
import { describe, expect, it } from 'vitest';
import { toCsv, toJson, writeFailure, writeRows } from '../src/export/write.js';
import { EPS, instCell, instSummary, ncCell, ncSummary } from './fixtures/summaries.js';
import { arrowTypes, parseCsv, readWithArrow, readWithHyparquet } from './parquet-readers.js';

const runs = () => [
  { label: 'breakdown', summary: ncSummary() },
  { label: 'instability', summary: instSummary() },
];

const tmp = () => mkdtempSync(join(tmpdir(), 'paradox-export-'));

describe('summaryTable (the one layout of summary.csv and export)', () => {
  it('one row per (cell, ε) and per (cell, radius); one column per parameter; a short cell id and a JSON params column', () => {
    const t = summaryTable(runs());
    expect(t.rows).toHaveLength(4 * 5 + 4 * 2);
    const names = t.columns.map((c) => c.name);
    expect(names.slice(0, 4)).toEqual(['run', 'cell', 'cellId', 'complete']);
    expect(names.at(-1)).toBe('params');
    // No parameter twice (`param.K` and `K`), no long cell key.
    expect(names.filter((n) => n === 'K')).toHaveLength(1);
    expect(names.some((n) => n.startsWith('param.') || n.startsWith('axis.') || n === 'cellKey' || n.startsWith('axes.'))).toBe(false);
    const first = t.rows[0]!;
    const nc = ncSummary().cells[0]!;
    expect(first).toMatchObject({ run: 'breakdown', cell: 0, cellId: cellId(nc.cellKey), complete: true, algorithm: 'gd', K: 8, readBits: 8, eps: 0.1, belowBreakdown: true, 'plus.k': 0, 'plus.n': 200 });
    expect(first.cellId).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.parse(first.params as string)).toEqual(nc.params);
    const inst = t.rows.filter((r) => r.run === 'instability');
    expect(inst).toHaveLength(8);
    expect(inst[1]).toMatchObject({ method: 'train', m: 16, arch: [2, 4, 1], radius: 0.01, 'robustCert.mean': 0.3, 'accurateUnstable.k': 38 });
    expect(inst.find((r) => r.method === 'construct-stable')!.arch).toBeNull();
    // Typed columns.
    const type = (n: string) => t.columns.find((c) => c.name === n)?.type;
    expect([type('complete'), type('belowBreakdown'), type('plus.k'), type('plus.n'), type('cell'), type('K'), type('eps'), type('plus.cp.lo'), type('arch'), type('algorithm')]).toEqual([
      'boolean', 'boolean', 'int64', 'int64', 'int64', 'int64', 'double', 'double', 'double[]', 'string',
    ]);
    for (const r of t.rows) expect(Object.keys(r)).toEqual(names);
  });

  it('summary.csv has the layout of the export (one owner): same header and fields', () => {
    const s = ncSummary();
    expect(summaryCsv(s)).toBe(toCsv(summaryTable([{ label: s.run.name, summary: s }])));
  });

  it('an incomplete cell marks each of its rows complete = false', () => {
    const s = ncSummary();
    s.cells[1]!.complete = false;
    const rows = summaryTable([{ label: 'x', summary: s }]).rows;
    expect(rows.filter((r) => r.cell === 1).map((r) => r.complete)).toEqual([false, false, false, false, false]);
    expect(rows.filter((r) => r.cell !== 1).every((r) => r.complete === true)).toBe(true);
  });
});

describe('CSV and JSON', () => {
  it('CSV: lists as JSON arrays, non-finite numbers as NaN/Inf/-Inf, null as empty', () => {
    expect([csvField([2, 8, 1]), csvField(['a', 'b']), csvField(NaN), csvField(-Infinity), csvField(null), csvField('a,b')]).toEqual(['"[2,8,1]"', '"[""a"",""b""]"', 'NaN', '-Inf', '', '"a,b"']);
    const t = summaryTable(runs());
    const rows = parseCsv(toCsv(t));
    expect(rows[0]).toEqual(t.columns.map((c) => c.name));
    expect(rows).toHaveLength(t.rows.length + 1);
    const arch = t.columns.findIndex((c) => c.name === 'arch');
    const archs = rows.slice(1).map((r) => r[arch]);
    expect(archs).toContain('[2,4,1]');
    expect(archs).toContain(''); // null: a variable-width method has no architecture
  });

  it('JSON: lists are arrays, rows read back', () => {
    const t = summaryTable(runs());
    const back = JSON.parse(toJson(t)) as Array<Record<string, unknown>>;
    expect(back).toEqual(t.rows);
    expect(back.find((r) => r.run === 'instability')!.arch).toEqual([2, 4, 1]);
  });
});

/** A summary with the awkward values: NaN and ±Infinity moments, a null list, an incomplete cell, and many cells. */
function awkwardSummaries(nc: number): Array<{ label: string; summary: Summary }> {
  const a = ncSummary();
  // Copies of two cells with other axis values (computing intervals for each would be slow).
  const gd = ncCell('gd', 8, 4, 200, EPS, [0, 0, 7, 200, 200], [0, 1, 2, 200, 200]);
  const coin = ncCell('coin', 8, 4, 200, EPS, [90, 100, 110, 100, 100], [99, 100, 101, 100, 100]);
  a.cells = Array.from({ length: nc }, (_, i) => {
    const c = structuredClone(i % 2 ? coin : gd);
    c.K = 8 + (i % 7);
    c.readBits = 4 + (i % 3);
    c.axes = { algorithm: c.algorithm, K: c.K, readBits: c.readBits };
    c.cellKey = `noncomputability:${JSON.stringify(c.axes)}`;
    return c;
  });
  const c0 = a.cells[0]!;
  if (c0.experiment === 'noncomputability') {
    c0.dist.plus.mean = NaN;
    c0.cost.max = Infinity;
    c0.cost.min = -Infinity;
  }
  a.cells[1]!.complete = false;
  const b = instSummary();
  b.cells.push(instCell('train', [2, 8, 8, 1], 64, [10, 50], [10, 10]));
  return [
    { label: 'nc', summary: a },
    { label: 'inst', summary: b },
  ];
}

/** Every row of `back` printed as CSV fields equals the CSV export's line, field by field. */
function expectEqualToCsv(back: Array<Record<string, unknown>>, csv: string[][], reader: string): void {
  const header = csv[0]!;
  expect(back, reader).toHaveLength(csv.length - 1);
  for (let i = 0; i < back.length; i++) {
    const row = back[i]!;
    const line = csv[i + 1]!;
    for (let j = 0; j < header.length; j++) {
      const v = row[header[j]!];
      if (valueText(v as Value) !== line[j]) expect(`${reader} row ${i} ${header[j]}: ${valueText(v as Value)}`).toBe(`${reader} row ${i} ${header[j]}: ${line[j]}`);
    }
  }
}

describe('Parquet (written by DuckDB, read back by two readers that share no code with it)', () => {
  it('summary rows: > 50 000 rows with NaN, ±Infinity, booleans, nulls and lists equal the CSV in hyparquet and Arrow (arrow-rs)', async () => {
    const dir = tmp();
    const table = summaryTable(awkwardSummaries(10_010));
    expect(table.rows.length).toBeGreaterThan(50_000);
    const csvPath = join(dir, 'r.csv');
    const pqPath = join(dir, 'r.parquet');
    await writeRows(tableStream(table), 'csv', csvPath);
    expect(await writeRows(tableStream(table), 'parquet', pqPath)).toBe(table.rows.length);
    const csv = parseCsv(readFileSync(csvPath, 'utf8'));
    const hy = await readWithHyparquet(pqPath);
    const ar = readWithArrow(pqPath);
    expectEqualToCsv(hy, csv, 'hyparquet');
    expectEqualToCsv(ar, csv, 'arrow');
    // The awkward values themselves, not only their text.
    expect(hy[0]!['dist.plus.mean']).toBeNaN();
    expect([ar[0]!['cost.max'], ar[0]!['cost.min']]).toEqual([Infinity, -Infinity]);
    expect(hy.filter((r) => r.run === 'nc' && r.cell === 1).every((r) => r.complete === false)).toBe(true);
    const inst = ar.filter((r) => r.run === 'inst');
    expect(inst.map((r) => r.arch)).toContainEqual([2, 8, 8, 1]);
    expect(inst.some((r) => r.arch === null)).toBe(true);
    expect(arrowTypes(pqPath)).toMatchObject({ complete: 'Bool', belowBreakdown: 'Bool', 'plus.k': 'Int64', cell: 'Int64', K: 'Int64', eps: 'Float64', arch: 'List<Float64>', algorithm: 'Utf8', params: 'Utf8' });
  }, 600_000);

  it('trial rows: > 50 000 rows, NaN and ±Infinity, several row groups, equal the CSV in both readers', async () => {
    const dir = tmp();
    const src = () => [
      { label: 'a', store: fakeStore([{ axes: { algorithm: 'coin', K: 8, hidden: [8, 8] }, n: 30_000, columns: ['dist+', 'dist-'] }, { axes: { algorithm: 'gd', K: 8, hidden: [4] }, n: 25_000, columns: ['dist+', 'dist-'], done: false }]) },
      { label: 'b', store: fakeStore([{ axes: { algorithm: 'hedge', K: 16, hidden: [4] }, n: 100, columns: ['dist+', 'bitsRead+'] }]) },
    ];
    const csvPath = join(dir, 't.csv');
    const pqPath = join(dir, 't.parquet');
    await writeRows(trialTable(src()), 'csv', csvPath);
    expect(await writeRows(trialTable(src()), 'parquet', pqPath, { what: 'trial table', rowGroup: 20_000 })).toBe(55_100);
    const csv = parseCsv(readFileSync(csvPath, 'utf8'));
    expect(csv[0]).toEqual(['run', 'cell', 'cellId', 'complete', 'algorithm', 'K', 'hidden', 'trial', 'dist+', 'dist-', 'bitsRead+']);
    const hy = await readWithHyparquet(pqPath);
    const ar = readWithArrow(pqPath);
    expectEqualToCsv(hy, csv, 'hyparquet');
    expectEqualToCsv(ar, csv, 'arrow');
    expect(hy[3]!['dist+']).toBeNaN();
    expect([ar[5]!['dist-'], ar[7]!['dist-']]).toEqual([Infinity, -Infinity]);
    expect(hy[30_000]).toMatchObject({ complete: false, trial: 0, hidden: [4] });
    expect(ar[55_000]!['dist-']).toBeNull(); // run b stores no dist-
    expect(arrowTypes(pqPath)).toMatchObject({ trial: 'Int64', hidden: 'List<Float64>', complete: 'Bool', 'dist+': 'Float64' });
  }, 600_000);

  it('a count above 2^53 / 2 is stored exactly as INT64', async () => {
    const dir = tmp();
    const big = 2 ** 52 + 1;
    const stream: RowStream = { columns: [{ name: 'n', type: 'int64' }], rows: () => [{ n: big }, { n: null }] };
    await writeRows(stream, 'parquet', join(dir, 'b.parquet'));
    expect((await readWithHyparquet(join(dir, 'b.parquet'))).map((r) => r.n)).toEqual([big, null]);
    expect(readWithArrow(join(dir, 'b.parquet')).map((r) => r.n)).toEqual([big, null]);
  });
});

/** An in-memory trial store: `n` trials per cell, values from the trial index (NaN at trial 3, ±Infinity at 5 and 7). */
function fakeStore(cells: Array<{ axes: Record<string, unknown>; n: number; columns: string[]; done?: boolean }>): TrialSource & { passes: number; open: number } {
  const store = {
    passes: 0,
    open: 0,
    cells: () => cells.map((c, index) => ({ index, key: `k:${JSON.stringify(c.axes)}`, axes: c.axes, trialsDone: c.n, done: c.done ?? true })),
    columns: (i: number) => cells[i]!.columns,
    *trials(i: number) {
      store.passes++;
      store.open++;
      try {
        for (let t = 0; t < cells[i]!.n; t++) {
          yield {
            trial: t,
            values: Object.fromEntries(cells[i]!.columns.map((c, j) => [c, t === 3 && j === 0 ? NaN : t === 5 && j === 1 ? Infinity : t === 7 && j === 1 ? -Infinity : t * 0.5 + j])),
          };
        }
      } finally {
        store.open--;
      }
    },
  };
  return store;
}

describe('writeRows: nothing half-written, never a silent overwrite', () => {
  const sources = () => [{ label: 'a', store: fakeStore([{ axes: { algorithm: 'coin', K: 8 }, n: 12, columns: ['dist+', 'dist-'] }]) }];

  it('an existing file is kept unless force is given; with force it is replaced', async () => {
    const dir = tmp();
    for (const format of ['csv', 'json', 'parquet'] as const) {
      const path = join(dir, `t.${format}`);
      writeFileSync(path, 'old');
      await expect(writeRows(trialTable(sources()), format, path)).rejects.toMatchObject({ code: 'EEXIST' });
      expect(readFileSync(path, 'utf8')).toBe('old');
      expect(await writeRows(trialTable(sources()), format, path, { force: true })).toBe(12);
      expect(readFileSync(path).subarray(0, 4).toString()).not.toBe('old');
    }
    expect(readdirSync(dir).sort()).toEqual(['t.csv', 't.json', 't.parquet']);
  });

  it('an export that fails part-way leaves no file behind and ends the row source', async () => {
    const dir = tmp();
    for (const format of ['csv', 'json', 'parquet'] as const) {
      const src = sources();
      const stream = trialTable(src);
      const broken: RowStream = {
        ...stream,
        *rows() {
          let i = 0;
          for (const r of stream.rows()) {
            if (i++ === 6) throw new Error('store went away');
            yield r;
          }
        },
      };
      await expect(writeRows(broken, format, join(dir, `t.${format}`), { rowGroup: 4 })).rejects.toThrow('store went away');
      expect(src[0]!.store.open, format).toBe(0);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a path that cannot be written fails with the path’s cause and leaves nothing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), '');
    for (const format of ['csv', 'json', 'parquet'] as const) {
      const err = await writeRows(trialTable(sources()), format, join(dir, 'file', `t.${format}`)).catch((e: unknown) => e);
      expect(writeFailure(err)).toBe('a part of the path is not a directory (ENOTDIR)');
      const missing = await writeRows(trialTable(sources()), format, join(dir, 'no', 'such', `t.${format}`)).catch((e: unknown) => e);
      expect(writeFailure(missing)).toBe('its directory does not exist (ENOENT)');
    }
    expect(readdirSync(dir)).toEqual(['file']);
    expect(writeFailure(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe('the file system is read-only (EROFS)');
    expect(writeFailure(new Error('IO Error: Could not write file "x": No space left on device'))).toBe('no space left on the device (ENOSPC)');
    expect(writeFailure(new TypeError('a bug'))).toBeUndefined();
  });

  it('CSV and JSON of a stream equal the in-memory writers', async () => {
    const dir = tmp();
    const rows = [...trialTable(sources()).rows()];
    const t = { columns: trialTable(sources()).columns, rows };
    for (const format of ['csv', 'json'] as const) {
      const path = join(dir, `t.${format}`);
      await writeRows(trialTable(sources()), format, path);
      expect(readFileSync(path, 'utf8')).toBe(format === 'csv' ? toCsv(t) : toJson(t));
    }
    expect(existsSync(join(dir, 't.csv'))).toBe(true);
  });
});
