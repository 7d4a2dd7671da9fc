import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { summaryTable, trialRows, type TrialSource, type Value } from '../src/export/table.js';
import { toCsv, toJson, writeRows, writeTable } from '../src/export/write.js';
import { instSummary, ncSummary } from './fixtures/summaries.js';

const runs = () => [
  { label: 'breakdown', summary: ncSummary() },
  { label: 'instability', summary: instSummary() },
];

/** A small RFC 4180 reader, enough to check the writer independently. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  return rows;
}

describe('summaryTable', () => {
  it('has one row per (cell, ε) for noncomputability and one per cell for instability', () => {
    const t = summaryTable(runs());
    expect(t.rows).toHaveLength(4 * 5 + 4);
    const first = t.rows[0]!;
    expect(first).toMatchObject({ run: 'breakdown', cellIndex: 0, algorithm: 'gd', K: 8, readBits: 8, eps: 0.1, belowBreakdown: true, 'plus.k': 0, 'plus.n': 200 });
    expect(first['plus.cp.lo']).toBe(0);
    expect(first['param.epsilons']).toBe('0.1,0.25,0.44,0.46,0.5');
    const inst = t.rows.find((r) => r.run === 'instability')!;
    expect(inst).toMatchObject({ method: 'train', arch: '2,4,1', 'accurateUnstable.k': 38, 'radius@0.01.robustCert.mean': 0.3 });
    // Union of columns: noncomputability rows have nulls in instability columns and back.
    expect(first['accurateUnstable.k']).toBeNull();
    expect(inst['plus.k']).toBeNull();
    for (const r of t.rows) expect(Object.keys(r).sort()).toEqual([...t.columns].sort());
  });
});

describe('writers', () => {
  it('CSV reads back to the same cells', () => {
    const t = summaryTable(runs());
    const rows = parseCsv(toCsv(t));
    expect(rows[0]).toEqual(t.columns);
    expect(rows).toHaveLength(t.rows.length + 1);
    const col = t.columns.indexOf('plus.cp.hi');
    expect(Number(rows[1]![col])).toBe(t.rows[0]!['plus.cp.hi']);
    const param = t.columns.indexOf('param.epsilons');
    expect(rows[1]![param]).toBe('0.1,0.25,0.44,0.46,0.5'); // quoted because of the commas
  });

  it('JSON reads back to the rows', () => {
    const t = summaryTable(runs());
    expect(JSON.parse(toJson(t))).toEqual(t.rows);
  });

  it('Parquet reads back with hyparquet: same columns, types and values, nulls kept', async () => {
    const t = summaryTable(runs());
    const dir = mkdtempSync(join(tmpdir(), 'paradox-export-'));
    const path = join(dir, 'x.parquet');
    writeTable(t, 'parquet', path);
    const buf = readFileSync(path);
    expect(buf.subarray(0, 4).toString()).toBe('PAR1');
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const back = await parquetReadObjects({ file: ab });
    expect(back).toHaveLength(t.rows.length);
    for (let i = 0; i < t.rows.length; i++) {
      for (const c of t.columns) {
        const v = t.rows[i]![c];
        expect(back[i]![c], `${c} row ${i}`).toEqual(v);
      }
    }
  });
});

/** An in-memory trial store: `cells` with their axes, `n` trials each, values from the trial index. */
function fakeStore(cells: Array<{ axes: Record<string, unknown>; n: number; columns: string[] }>): TrialSource & { passes: number } {
  const store = {
    passes: 0,
    cells: () => cells.map((c, index) => ({ index, axes: c.axes, trialsDone: c.n })),
    columns: (i: number) => cells[i]!.columns,
    *trials(i: number) {
      store.passes++;
      for (let t = 0; t < cells[i]!.n; t++) {
        yield { cellIndex: i, trial: t, values: Object.fromEntries(cells[i]!.columns.map((c, j) => [c, t === 3 && j === 0 ? NaN : t * 0.5 + j])) };
      }
    },
  };
  return store;
}

/** The same rows built the simple way: everything in memory, union of columns in first-seen order. */
function materialise(runs: Array<{ label: string; store: TrialSource }>): { columns: string[]; rows: Array<Record<string, Value>> } {
  const rows: Array<Record<string, Value>> = [];
  for (const { label, store } of runs) {
    for (const cell of store.cells()) {
      for (const t of store.trials(cell.index)) {
        const row: Record<string, Value> = { run: label, cellIndex: cell.index };
        for (const [k, v] of Object.entries(cell.axes)) row[`axis.${k}`] = v as Value;
        row.trial = t.trial;
        Object.assign(row, t.values);
        rows.push(row);
      }
    }
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return { columns, rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))) };
}

describe('per-trial export (streamed)', () => {
  const sources = () => [
    { label: 'a', store: fakeStore([{ axes: { algorithm: 'coin', K: 8 }, n: 7, columns: ['dist+', 'dist-'] }, { axes: { algorithm: 'gd', K: 8 }, n: 0, columns: ['dist+', 'dist-'] }]) },
    // A second run with another axis (a mixed-kind column) and another quantity.
    { label: 'b', store: fakeStore([{ axes: { algorithm: 'hedge', K: 'big', extra: true }, n: 5, columns: ['dist+', 'bitsRead+'] }]) },
  ];

  it('has the columns and rows of the in-memory table, and reads the store once per pass', () => {
    const src = sources();
    const stream = trialRows(src);
    const want = materialise(sources());
    expect(stream.columns).toEqual(want.columns);
    expect(stream.kinds).toMatchObject({ run: 'string', cellIndex: 'number', 'axis.algorithm': 'string', 'axis.K': 'mixed', 'axis.extra': 'boolean', trial: 'number', 'dist+': 'number' });
    const rows = [...stream.rows()];
    expect(rows).toEqual(want.rows);
    rows.forEach((r) => expect(Object.keys(r)).toEqual(want.columns));
    expect(src[0]!.store.passes + src[1]!.store.passes).toBe(2); // cells with trials only, one pass each
  });

  it('CSV and JSON are byte-identical to the in-memory writers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-export-'));
    const want = materialise(sources());
    for (const format of ['csv', 'json'] as const) {
      const path = join(dir, `t.${format}`);
      expect(writeRows(trialRows(sources()), format, path)).toBe(12);
      expect(readFileSync(path, 'utf8')).toBe(format === 'csv' ? toCsv(want) : toJson(want));
    }
    expect(readdirSync(dir).sort()).toEqual(['t.csv', 't.json']); // no partial files left
  });

  it('Parquet in several row groups reads back to the same rows and types', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-export-'));
    const path = join(dir, 't.parquet');
    expect(writeRows(trialRows(sources()), 'parquet', path, 'trial table', 5)).toBe(12);
    const buf = readFileSync(path);
    const back = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) });
    const want = materialise(sources());
    expect(back).toHaveLength(12);
    back.forEach((r, i) => {
      for (const c of want.columns) {
        const v = want.rows[i]![c];
        // Mixed-kind columns are text; NaN stays NaN (a DOUBLE), absent values are null.
        expect(r[c], `${c} row ${i}`).toEqual(c === 'axis.K' && v !== null ? String(v) : v);
      }
    });
  });

  it('an export that fails part-way leaves no file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-export-'));
    const stream = trialRows(sources());
    const broken = {
      ...stream,
      *rows() {
        let i = 0;
        for (const r of stream.rows()) {
          if (i++ === 6) throw new Error('store went away');
          yield r;
        }
      },
    };
    for (const format of ['csv', 'json', 'parquet'] as const) {
      const path = join(dir, `t.${format}`);
      expect(() => writeRows(broken, format, path, 'trial table', 4)).toThrow('store went away');
      expect(existsSync(path)).toBe(false);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a writer that fails part-way ends the row source (so a run store can close)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-export-'));
    const stream = trialRows(sources());
    // A value every writer fails on (CSV and Parquet turn it into text, JSON asks for its JSON).
    const poison = { toString: () => { throw new Error('poison'); }, toJSON: () => { throw new Error('poison'); } } as unknown as Value;
    for (const format of ['csv', 'json', 'parquet'] as const) {
      let open = false;
      const watched = {
        ...stream,
        kinds: { ...stream.kinds, 'dist+': 'string' as const },
        *rows() {
          open = true;
          try {
            let i = 0;
            for (const r of stream.rows()) yield i++ === 5 ? { ...r, 'dist+': poison } : r;
          } finally {
            open = false;
          }
        },
      };
      expect(() => writeRows(watched, format, join(dir, `w.${format}`), 'trial table', 4)).toThrow('poison');
      expect(open, format).toBe(false);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
