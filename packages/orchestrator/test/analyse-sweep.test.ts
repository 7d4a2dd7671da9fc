// `analyse` as a sweep experiment: a network file on a data file, one trial per data point; the
// per-point records are stored, summaries hold accuracy and robust accuracy from both ends, the
// export goes through the one table schema, and results are byte-identical for any worker count
// or batch size.
import { writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyse, forward, loadCore } from '@paradox/core-wasm';
import { networkFromBytes } from '@paradox/core-wasm/onnx';
import { readFileSync } from 'node:fs';
import { openRunStore, runSweep } from '../src/api.js';
import { loadSpec } from '../src/spec/load.js';
import { summaryTable, trialTable } from '../src/summary/table.js';
import type { AnalyseCell } from '../src/summary/types.js';
import { specError, summaryBytes, tempDir } from './helpers/sweep.js';

const torch = fileURLToPath(new URL('../../core-wasm/test/fixtures/onnx-torch/', import.meta.url));
const NET = join(torch, 'mlp-5-16-16-12-3.onnx');

/** 12 points of the 5-input network, labelled by its own argmax except point 3 (flipped: wrong). */
async function dataFile(dir: string): Promise<string> {
  const core = await loadCore();
  const net = networkFromBytes(new Uint8Array(readFileSync(NET)), NET);
  const x = Array.from({ length: 12 }, (_, i) => Array.from({ length: 5 }, (_, k) => Math.sin(3 * i + 7 * k) * 0.8));
  const y = x.map((p) => {
    const phi = forward(core, net, p);
    return Array.from(phi).reduce((bi, v, j, a) => (v > a[bi]! ? j : bi), 0);
  });
  y[3] = (y[3]! + 1) % 3;
  const path = join(dir, 'd.csv');
  writeFileSync(path, x.map((p, i) => [...p, y[i]].join(',')).join('\n') + '\n');
  return path;
}

async function run(spec: Record<string, unknown>, workers: number, batch: number | 'auto') {
  const dir = join(tempDir(), 'run');
  const res = await runSweep(spec, { outDir: dir, workers, batch });
  return { dir, res };
}

describe('analyse sweeps', () => {
  it('one trial per point, the same records as analyse(), byte-identical across workers and batch sizes', async () => {
    const data = await dataFile(tempDir());
    const spec = {
      name: 'an', experiment: 'analyse', seed: 4,
      grid: { norm: ['linf', 'l2'] },
      fixed: { network: NET, data, radii: [0.01, 0.1], maxRadius: 1, certIters: 6, attackIters: 4, steps: 8, queries: 40 },
      trials: 12,
    };
    const a = await run(spec, 1, 'auto');
    expect(a.res.status).toBe('complete');
    const bytes = summaryBytes(a.dir);
    for (const [w, b] of [[2, 1], [2, 5]] as const) expect(summaryBytes((await run(spec, w, b)).dir), `workers ${w}, batch ${b}`).toBe(bytes);
    const s = JSON.parse(bytes);
    expect(s.run.experiment).toBe('analyse');
    expect(s.cells).toHaveLength(2);
    // The summary agrees with the library call on the same points and seed.
    const core = await loadCore();
    const net = networkFromBytes(new Uint8Array(readFileSync(NET)), NET);
    const { dataFromBytes } = await import('@paradox/core-wasm');
    const ds = dataFromBytes(new Uint8Array(readFileSync(data)), data).data;
    const lib = analyse(core, net, ds, { norm: 'linf', radii: [0.01, 0.1], maxRadius: 1, certIters: 6, attackIters: 4, steps: 8, queries: 40, seed: 4 });
    const c0 = s.cells[0];
    expect(c0.accuracy.k).toBe(11);
    expect(c0.accuracy.p).toBe(lib.accuracy);
    expect(c0.radii.map((r: { certified: { p: number }; attacked: { p: number } }) => [r.certified.p, r.attacked.p])).toEqual(lib.robust.map((r) => [r.certified, r.attacked]));
    expect(c0.witnessChecks).toEqual(lib.witnessChecks);
    expect(c0.certContradictions).toBe(0);
    // Per-point rows stored, in the trial table with the same values as the library's points.
    const store = openRunStore(a.dir);
    try {
      const rows = [...trialTable([{ label: 'an', store }]).rows()].filter((r) => r.cell === 0);
      expect(rows).toHaveLength(12);
      rows.forEach((r, i) => {
        const p = lib.points[i]!;
        expect([r.trial, r.label, r.correct, r.certified, r.attacked]).toEqual([i, p.label, p.correct ? 1 : 0, p.certified, p.attacked]);
      });
    } finally {
      store.close();
    }
    // The summary table: a row per (cell, radius), like instability's.
    const t = summaryTable([{ label: 'an', summary: s }]);
    expect(t.rows).toHaveLength(4);
    expect(t.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['radius', 'certified.p', 'attacked.p', 'accuracy.p', 'gap.median', 'witnessChecks.dropped']));
  }, 120_000);

  it('bad files and too many trials are spec errors naming the entry', async () => {
    const dir = tempDir();
    const data = await dataFile(dir);
    const base = { experiment: 'analyse', fixed: { network: NET, data }, trials: 12 };
    expect(specError({ ...base, trials: 13 })).toMatch(/fixed\.data.*at least 13 points.*12 points/s);
    expect(specError({ ...base, fixed: { network: join(dir, 'nope.onnx'), data } })).toMatch(/fixed\.network.*no such file/s);
    writeFileSync(join(dir, 'bad.onnx'), 'not a model');
    expect(specError({ ...base, fixed: { network: join(dir, 'bad.onnx'), data } })).toMatch(/fixed\.network.*onnx/s);
    expect(specError({ ...base, fixed: { network: NET, data, radii: [2] } })).toMatch(/radii/);
    expect(specError({ ...base, fixed: { network: NET, data, criterion: 'binary' } })).toMatch(/criterion/);
  });

  it('network, data and labels named in a spec file are found next to it', async () => {
    const dir = tempDir();
    await dataFile(dir);
    const specFile = join(dir, 'an.yaml');
    writeFileSync(specFile, `experiment: analyse\ngrid:\n  data: [d.csv]\nfixed:\n  network: ${NET}\n  labels: null\ntrials: 2\n`);
    const spec = await loadSpec(specFile);
    expect(spec.grid.data).toEqual([join(dir, 'd.csv')]);
    expect(spec.fixed.network).toBe(NET);
    // summary.json names them relative to the spec file (the data as written, the network as a
    // path from there), in the cell's own fields, axes and params alike: never by absolute path.
    const run = await runSweep(spec, { outDir: join(dir, 'out', 'run'), workers: 1 });
    const cell = run.summary.cells[0] as AnalyseCell;
    const net = relative(dir, NET).split(sep).join('/');
    expect([cell.data, cell.axes.data, cell.params.data, cell.network, cell.params.network]).toEqual(['d.csv', 'd.csv', 'd.csv', net, net]);
    expect(summaryBytes(run.dir)).not.toContain(dir);
    expect(summaryBytes(run.dir)).not.toMatch(/"\/[^"]*"/); // no string is an absolute path
  });
});
