import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { summaryTable } from '../src/export/table.js';
import { toCsv, toJson, writeTable } from '../src/export/write.js';
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
