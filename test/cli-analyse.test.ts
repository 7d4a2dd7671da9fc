// `paradox analyse NET DATA` end to end: a network written by PyTorch's ONNX exporter, data as
// CSV / JSON / NPY, the printed summary checked against numbers computed here, and bad inputs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, forward, loadCore, networkToJSON, type Core } from '@paradox/core-wasm';
import { loadOnnx } from '@paradox/core-wasm/onnx';
import { ndjson, paradox, requireBuilt, ROOT, scratch } from './cli-helpers.js';

const FIX = join(ROOT, 'packages/core-wasm/test/fixtures');
const NET = join(FIX, 'onnx-torch/mlp-5-16-16-12-3.onnx');
let core: Core;
beforeAll(async () => {
  requireBuilt();
  core = await loadCore();
});

/** n points in [-1, 1]^5 (fixed), their argmax labels, with the labels of `flip` points changed. */
function dataset(n: number, flip: number[]): { x: number[][]; y: number[] } {
  const net = loadOnnx(readFileSync(NET));
  const x = Array.from({ length: n }, (_, i) => Array.from({ length: 5 }, (_, k) => Math.sin(3.7 * i + 1.3 * k + 0.5)));
  const phi = forward(core, net, x.flat());
  const y = x.map((_, b) => {
    const row = Array.from(phi.subarray(3 * b, 3 * b + 3));
    return row.indexOf(Math.max(...row));
  });
  for (const i of flip) y[i] = (y[i]! + 1) % 3;
  return { x, y };
}

describe('paradox analyse', () => {
  it('CSV: accuracy, robust accuracy lines, per-point export with certified ≤ attacked', () => {
    const dir = scratch();
    const { x, y } = dataset(6, [2]);
    writeFileSync(join(dir, 'd.csv'), `a,b,c,d,e,label\n${x.map((r, i) => [...r, y[i]].join(',')).join('\n')}\n`);
    const r = paradox(['analyse', NET, 'd.csv', '--radii', '0.01,0.1', '--max-radius', '1', '--out', 'p.csv'], { cwd: dir });
    expect(r.stderr).not.toMatch(/paradox:/);
    expect(r.code).toBe(0);
    // Not a terminal: progress in whole lines (no carriage returns), the last one complete.
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/(^|\n)analysed 6\/6 points\n$/);
    expect(r.stdout).toMatch(/\[5, 16, 16, 12, 3\], criterion multiclass, norm linf/);
    expect(r.stdout).toContain('Accuracy: 5/6 = 83.3%');
    expect(r.stdout.match(/^ {2}radius /gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/Time: \d+\.\d s for 6 points \(\d+ ms per point\)/);
    // The count of soundly checked witnesses is the number of rows whose witness passed the check.
    const lines0 = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n').slice(1);
    const passed = lines0.filter((l) => /,(confirmed|nudged),\d+$/.test(l)).length;
    expect(r.stdout).toMatch(new RegExp(`Witnesses checked in exact arithmetic: ${passed} confirmed`));
    const lines = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('index,label,predicted,correct,score,certified,attacked,gap,attack,witness,droppedCandidates');
    expect(lines).toHaveLength(7);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows[2]![3]).toBe('false');
    for (const row of rows) {
      const cert = Number(row[5]);
      const att = row[6] === 'Inf' ? Infinity : Number(row[6]);
      expect(cert).toBeLessThanOrEqual(att);
    }
    // Never overwritten.
    const again = paradox(['analyse', NET, 'd.csv', '--out', 'p.csv'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/p\.csv already exists/);
  });

  it('JSON data with a box and --json output; NPY needs --labels', () => {
    const dir = scratch();
    const { x, y } = dataset(3, []);
    writeFileSync(join(dir, 'd.json'), JSON.stringify({ format: 'paradox-data/1', x, y, box: [-1, 1] }));
    const r = paradox(['analyse', NET, 'd.json', '--json', '--radii', '0.05'], { cwd: dir });
    expect(r.code).toBe(0);
    const [ev] = ndjson(r.stdout);
    expect(ev).toMatchObject({ type: 'analysis', n: 3, accuracy: 1, criterion: 'multiclass', dims: [5, 16, 16, 12, 3] });
    expect((ev!.robust as unknown[]).length).toBe(1);
    writeFileSync(join(dir, 'x.npy'), new Uint8Array(16));
    const n = paradox(['analyse', NET, 'x.npy'], { cwd: dir });
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('an .npy DATA needs --labels FILE.npy');
  });

  it('--exact-radius: each point\'s exact linf bracket (exported, inside [certified, attacked]) and the printed medians from the result', () => {
    const dir = scratch();
    // A 2 → 6 → 2 network (small input dimension: the verifier splits input boxes) and 8 points labelled by its argmax.
    const w = Array.from({ length: 6 * 3 + 2 * 7 }, (_, i) => Math.sin(2.1 * i + 0.4) * 1.5);
    const net = createNetwork([2, 6, 2], true, w);
    writeFileSync(join(dir, 'n.json'), JSON.stringify(networkToJSON(net)));
    const x = Array.from({ length: 8 }, (_, i) => [Math.cos(1.9 * i) * 0.8, Math.sin(2.7 * i) * 0.8]);
    const phi = forward(core, net, x.flat());
    const y = x.map((_, b) => (phi[2 * b]! >= phi[2 * b + 1]! ? 0 : 1));
    writeFileSync(join(dir, 'd.csv'), `a,b,label\n${x.map((r, i) => [...r, y[i]].join(',')).join('\n')}\n`);
    const args = ['analyse', 'n.json', 'd.csv', '--max-radius', '1', '--exact-radius', '1e-6'];
    const j = paradox([...args, '--json'], { cwd: dir });
    expect(j.code).toBe(0);
    const e = ndjson(j.stdout)[0]!.exactRadius as { medianLower: number; medianUpper: number; maxRelWidth: number; converged: number; points: number };
    expect(e.points).toBe(8);
    expect(e.medianLower).toBeLessThanOrEqual(e.medianUpper);
    const t = paradox([...args, '--out', 'p.csv'], { cwd: dir });
    expect(t.code).toBe(0);
    const f = (v: number) => (v === Infinity ? '∞' : v.toPrecision(4));
    const stopped = e.points - e.converged;
    expect(t.stdout).toContain(
      `Exact linf radius (complete verifier, tol 0.000001) over 8 points: median in [${f(e.medianLower)}, ${f(e.medianUpper)}], ${e.converged} converged${stopped > 0 ? `, ${stopped} stopped by the node limit` : ''}, widest bracket ${e.maxRelWidth.toPrecision(2)} relative`,
    );
    const lines = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('index,label,predicted,correct,score,certified,attacked,gap,attack,witness,droppedCandidates,exactLower,exactUpper,exactStatus');
    const num = (v: string) => (v === 'Inf' ? Infinity : Number(v));
    let finite = 0;
    for (const row of lines.slice(1).map((l) => l.split(','))) {
      const [cert, att, lo, up] = [num(row[5]!), num(row[6]!), num(row[11]!), num(row[12]!)];
      expect(lo).toBeLessThanOrEqual(att);
      expect(cert).toBeLessThanOrEqual(up);
      if (Number.isFinite(up)) finite++;
    }
    expect(finite).toBeGreaterThan(0);
    // Refused: a tolerance ≥ 1, and ℓ2.
    const bad = paradox([...args.slice(0, -1), '2'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/exactRadius\.tol: expected a relative tolerance in \[1e-12, 1\), got 2/);
    const l2 = paradox([...args, '--norm', 'l2'], { cwd: dir });
    expect(l2.code).toBe(2);
    expect(l2.stderr).toMatch(/exactRadius: the exact radius is an ℓ∞ radius; got norm l2/);
  });

  it('bad networks and data: exit 2 with the file and the problem named', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'd.csv'), '0.1,0.2,0\n0.3,0.4,1\n');
    const missing = paradox(['analyse', 'nope.onnx', 'd.csv'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('network nope.onnx: no such file');
    writeFileSync(join(dir, 'bad.onnx'), 'not a model');
    const bad = paradox(['analyse', 'bad.onnx', 'd.csv'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/analyse: bad\.onnx: onnx: /);
    const shape = paradox(['analyse', NET, 'd.csv'], { cwd: dir });
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain('d.csv has points of 2 coordinates but');
    const badCsv = join(dir, 'e.csv');
    writeFileSync(badCsv, '1,2,3,4,5,0\n1,2,x,4,5,1\n');
    const e = paradox(['analyse', NET, 'e.csv'], { cwd: dir });
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('csv line 2, column 3: expected a finite number, got "x"');
    const lab = paradox(['analyse', NET, 'e.csv', '--norm', 'l3'], { cwd: dir });
    expect(lab.code).toBe(2);
  });

  it('--dichotomy: Lemma C counts on segments through the data, computed from the data', () => {
    const dir = scratch();
    const net2 = join(FIX, 'onnx-torch/mlp-2-8-1.onnx'); // [2, 8, 1]: P(N) = 9
    const line = (label: (i: number) => number): string => Array.from({ length: 20 }, (_, i) => `${(i + 0.5) / 20},${0.5 + ((i % 3) - 1) * 0.01},${label(i)}`).join('\n');
    writeFileSync(join(dir, 'alt.csv'), `${line((i) => i % 2)}\n`);
    const r = paradox(['analyse', net2, 'alt.csv', '--dichotomy', '1', '--tube', '0.02', '--radii', '0.1'], { cwd: dir });
    expect(r.code).toBe(0);
    // 20 alternating labels: a = 19 > P(N) = 9, so ⌈(19 − 9)/2⌉ = 5 are forced for every [2, 8, 1] network.
    expect(r.stdout).toMatch(/segment 1: 20 points, 19 label alternations, P\(N\) = 9, \d+ pieces of this network; forced wrong or unstable: 5 for every network of this architecture/);
    expect(r.stdout).toContain('the bound stops forcing at hidden widths [18] (one layer at a time) or 18 in every layer');
    // Two blocks of labels: one alternation, nothing forced, no width line.
    writeFileSync(join(dir, 'blocks.csv'), `${line((i) => (i < 10 ? 0 : 1))}\n`);
    const b = paradox(['analyse', net2, 'blocks.csv', '--dichotomy', '1', '--tube', '0.02', '--radii', '0.1'], { cwd: dir });
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/segment 1: 20 points, 1 label alternation, P\(N\) = 9, \d+ pieces of this network; forced wrong or unstable: 0 for every network of this architecture, 0 for this one/);
    expect(b.stdout).not.toContain('stops forcing');
  });
});
