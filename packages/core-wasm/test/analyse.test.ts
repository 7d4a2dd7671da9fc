import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  analyse, CoreError, createNetwork, dataFromNpy, forward, loadCore, makeBox, parseCsv, parseDataJson, parseNpy, dataShape, type Core, type Dataset, type Network,
} from '../src/index.js';
import { soundConfirm, type AttackTarget } from '../src/analyse/attacks.js';
import { boundsDistance, cmp, dy, exactOutputs } from './exact.js';
import { loadOnnx } from '../src/io/onnx.js';
import { randomNet } from './helpers.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

function err(f: () => unknown, code: string): CoreError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    expect((e as CoreError).code).toBe(code);
    return e as CoreError;
  }
  throw new Error('expected an error');
}

/** A NumPy v1 .npy file written by hand (little-endian f8 or i8). */
function npy(descr: '<f8' | '<i8', shape: number[], values: number[]): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const out = new Uint8Array(10 + header.length + 8 * values.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const dv = new DataView(out.buffer, 10 + header.length);
  values.forEach((v, i) => (descr === '<f8' ? dv.setFloat64(8 * i, v, true) : dv.setBigInt64(8 * i, BigInt(v), true)));
  return out;
}

describe('data import', () => {
  it('CSV: header detection, label column by name or index, errors name line and column', () => {
    const a = parseCsv('x1,x2,label\n0.5,1,1\n# comment\n\n-2,3e-1,0\n');
    expect(dataShape(a)).toEqual({ n: 2, d: 2 });
    expect(Array.from(a.x)).toEqual([0.5, 1, -2, 0.3]);
    expect(Array.from(a.y)).toEqual([1, 0]);
    const b = parseCsv('1;0.5;1\n0;-2;0.3', { label: 0 });
    expect(Array.from(b.y)).toEqual([1, 0]);
    expect(Array.from(b.x)).toEqual([0.5, 1, -2, 0.3]);
    expect(Array.from(parseCsv('a,y,b\n1,0,2\n', { label: 'y' }).x)).toEqual([1, 2]);
    expect(err(() => parseCsv('1,2,0\n1,x,1\n'), 'E_FORMAT').message).toBe('csv line 2, column 2: expected a finite number, got "x"');
    expect(err(() => parseCsv('1,2,0\n1,1\n'), 'E_FORMAT').message).toBe('csv line 2: expected 3 fields, got 2');
    expect(err(() => parseCsv('1,2,0.5\n'), 'E_FORMAT').message).toMatch(/csv label 0: expected an integer class/);
    expect(err(() => parseCsv('a,b\n1,2\n', { label: 'c' }), 'E_FORMAT').message).toBe('csv: no column named "c"; columns: a, b');
  });

  it('dataShape: n = y.length points of x.length / n coordinates; x that is not whole points is E_SHAPE', () => {
    expect(dataShape({ x: [1, 2, 3, 4, 5, 6], y: [0, 1] })).toEqual({ n: 2, d: 3 });
    expect(err(() => dataShape({ x: [1, 2, 3, 4, 5], y: [0, 1] }), 'E_SHAPE').message).toBe('data: 5 coordinates and 2 labels do not make whole points (one label per point)');
    expect(err(() => dataShape({ x: [], y: [] }), 'E_SHAPE').message).toBe('data: 0 coordinates and 0 labels do not make whole points (one label per point)');
  });

  it('NPY: points of any trailing shape flattened, labels; bad files refused', () => {
    const x = parseNpy(npy('<f8', [2, 1, 3], [1, 2, 3, 4, 5, 6.5]));
    expect(x.shape).toEqual([2, 1, 3]);
    const d = dataFromNpy(x, parseNpy(npy('<i8', [2], [3, 1])));
    expect(dataShape(d).d).toBe(3);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4, 5, 6.5]);
    expect(Array.from(d.y)).toEqual([3, 1]);
    expect(err(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), 'E_FORMAT').message).toBe('npy: not a NumPy .npy file (bad magic)');
    expect(err(() => parseNpy(npy('<f8', [2, 2], [1, 2, 3])), 'E_FORMAT').message).toMatch(/expected 32 bytes of data for shape \(2, 2\)/);
    expect(err(() => dataFromNpy(x, parseNpy(npy('<i8', [3], [0, 1, 0]))), 'E_FORMAT').message).toBe('npy: expected 2 labels (one per point), got 3');
  });

  it('NPY: reads the MNIST points recovered from VNN-COMP (numpy-written)', () => {
    const d = dataFromNpy(parseNpy(readFileSync(`${fixtures}vnncomp2021/mnist15-x.npy`)), parseNpy(readFileSync(`${fixtures}vnncomp2021/mnist15-y.npy`)));
    expect(dataShape(d)).toEqual({ n: 15, d: 784 });
    expect(Array.from(d.y.subarray(0, 4))).toEqual([8, 1, 0, 7]);
    for (const v of d.x) expect(Math.round(v * 255) / 255).toBe(v);
  });

  it('JSON with a box; the box check names the point', () => {
    const { data, box } = parseDataJson('{"format":"paradox-data/1","x":[[0,0.5],[1,0.25]],"y":[0,1],"box":[0,1]}');
    expect(box).toEqual([0, 1]);
    expect(dataShape(data).n).toBe(2);
    expect(err(() => parseDataJson({ x: [[0, 1], [2]], y: [0, 1] }), 'E_FORMAT').message).toBe('data point 1: expected 2 coordinates like point 0, got 1');
    expect(err(() => makeBox(2, 0, 0.9, data), 'E_ARG').message).toBe('point 1, coordinate 0: 1 lies outside the input box [0, 0.9]');
  });
});

/** True ℓ∞ radius of a binary-criterion point of a d = 2 network, by dense search of squares. */
function denseRadius(c: Core, net: ReturnType<typeof randomNet>, x: number[], y: number, rMax: number, grid: number): number {
  // Smallest r on a grid of radii such that some point on the boundary square of radius r is wrong.
  const pts: number[] = [];
  const radii: number[] = [];
  for (let i = 1; i <= grid; i++) radii.push((rMax * i) / grid);
  for (const r of radii) {
    for (let k = 0; k <= 200; k++) {
      const s = -r + (2 * r * k) / 200;
      pts.push(x[0]! + s, x[1]! + r, x[0]! + s, x[1]! - r, x[0]! + r, x[1]! + s, x[0]! - r, x[1]! + s);
    }
  }
  const phi = forward(c, net, pts);
  const per = 201 * 4;
  for (let i = 0; i < radii.length; i++) {
    for (let q = 0; q < per; q++) if (Math.abs(phi[i * per + q]! - y) >= 0.5) return radii[i]!;
  }
  return Infinity;
}

describe('analyse', () => {
  it('brackets the true radius (dense search, d = 2) on random networks: certified ≤ true ≤ attacked', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const net = randomNet([2, 12, 12, 1], true, seed);
      const xs = [0.3, -0.2, -0.5, 0.6, 0.1, 0.1, 0.7, -0.7];
      const phi = forward(core, net, xs);
      const y = Array.from(phi, (v) => (v >= 0.5 ? 1 : 0));
      const data: Dataset<Float64Array> = { x: Float64Array.from(xs), y: Float64Array.from(y) };
      const res = analyse(core, net, data, { maxRadius: 1, radii: [0.05, 0.2], seed });
      expect(res.accuracy).toBe(1);
      expect(res.certContradictions).toBe(0);
      for (const p of res.points) {
        const xp = xs.slice(2 * p.index, 2 * p.index + 2);
        const truth = denseRadius(core, net, xp, p.label, 1, 400);
        const step = 1 / 400;
        expect(p.certified).toBeLessThanOrEqual(truth);
        // The grid over-estimates the true radius by at most one grid step.
        if (Number.isFinite(p.attacked)) expect(p.attacked).toBeGreaterThanOrEqual(truth - step);
        expect(p.certified).toBeLessThanOrEqual(p.attacked);
      }
      for (const r of res.robust) expect(r.certified).toBeLessThanOrEqual(r.attacked);
    }
  });

  it('a wrong point has the bracket [0, 0]; accuracy counts it', () => {
    const net = randomNet([2, 8, 1], true, 1);
    const phi = forward(core, net, [0.1, 0.2, -0.3, 0.4]);
    const y: number[] = Array.from(phi, (v) => (v >= 0.5 ? 1 : 0));
    y[1] = 1 - y[1]!;
    const res = analyse(core, net, { x: Float64Array.of(0.1, 0.2, -0.3, 0.4), y: Float64Array.from(y) }, { radii: [0] });
    // Correct iff |φ − y| < 1/2 (a φ beyond y ± 1/2 is wrong even on the right side of 1/2).
    const acc = [0, 1].filter((b) => Math.abs(phi[b]! - y[b]!) < 0.5).length / 2;
    expect(acc).toBeGreaterThan(0);
    expect(res.accuracy).toBe(acc);
    expect(res.points[1]).toMatchObject({ correct: false, certified: 0, attacked: 0, attack: 'clean' });
    expect(res.robust[0]).toEqual({ radius: 0, certified: acc, attacked: acc });
  });

  it('multi-class on an ACAS Xu network: brackets hold, same result for the same seed', () => {
    const net = loadOnnx(readFileSync(`${fixtures}vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx`));
    const xs = [0.1, -0.2, 0.3, 0.2, -0.1, -0.3, 0.25, 0.05, -0.4, 0.4];
    const phi = forward(core, net, xs);
    const y = [0, 1].map((b) => Array.from(phi.subarray(5 * b, 5 * b + 5)).reduce((bi, v, j, a) => (v > a[bi]! ? j : bi), 0));
    const data: Dataset<Float64Array> = { x: Float64Array.from(xs), y: Float64Array.from(y) };
    const o = { maxRadius: 0.5, radii: [0.001, 0.01], seed: 5, certIters: 8, attackIters: 6 };
    const a = analyse(core, net, data, o);
    expect(a.criterion).toBe('multiclass');
    expect(a.accuracy).toBe(1);
    expect(a.certContradictions).toBe(0);
    for (const p of a.points) expect(p.certified).toBeLessThanOrEqual(p.attacked);
    expect(analyse(core, net, data, o)).toEqual(a);
    // argmin (the ACAS Xu advisory): labels from the smallest output; same checks.
    const yMin = [0, 1].map((b) => Array.from(phi.subarray(5 * b, 5 * b + 5)).reduce((bi, v, j, arr) => (v < arr[bi]! ? j : bi), 0));
    const m = analyse(core, net, { ...data, y: Float64Array.from(yMin) }, { ...o, argmin: true });
    expect(m.accuracy).toBe(1);
    for (const p of m.points) expect(p.certified).toBeLessThanOrEqual(p.attacked);
    expect(err(() => analyse(core, net, data, { ...o, argmin: true, criterion: 'binary' }), 'E_SHAPE')).toBeDefined();
  });

  it('refuses labels that are not classes of the network and bad options', () => {
    const net = randomNet([2, 4, 3], true, 1);
    const data: Dataset<Float64Array> = { x: Float64Array.of(0, 0), y: Float64Array.of(3) };
    expect(err(() => analyse(core, net, data), 'E_ARG').message).toBe('label of point 0: 3 is not a class of this network (0 … 2)');
    const ok: Dataset<Float64Array> = { ...data, y: Float64Array.of(2) };
    expect(err(() => analyse(core, net, ok, { criterion: 'binary' }), 'E_SHAPE').message).toBe('criterion binary needs a network with one output, got 3');
    expect(err(() => analyse(core, net, ok, { radii: [2] }), 'E_ARG').message).toBe('radii[0]: expected a radius in [0, maxRadius = 1], got 2');
  });
});

describe('analyse: sound witnesses (exact arithmetic)', () => {
  /** Whether the f64 point z is wrong for label y in exact arithmetic (binary |φ − y| ≥ 1/2; multi-class φ_y ≤ φ_j for some j ≠ y). */
  function exactlyWrong(net: Network, z: ArrayLike<number>, y: number, criterion: 'binary' | 'multiclass'): boolean {
    const out = exactOutputs(net, z);
    if (criterion === 'binary') return cmp(out[0]!, dy(y - 0.5)) <= 0 || cmp(out[0]!, dy(y + 0.5)) >= 0;
    return out.some((v, j) => j !== y && cmp(out[y]!, v) <= 0);
  }

  it('every reported attacked radius has a witness wrong in exact arithmetic within that exact distance', () => {
    let checked = 0;
    for (const [dims, norm, seed] of [[[2, 10, 10, 1], 'linf', 1], [[3, 8, 1], 'l2', 2], [[3, 12, 4], 'linf', 3], [[2, 6, 6, 3], 'l2', 4]] as const) {
      const net = randomNet([...dims], true, seed);
      const d = dims[0];
      const n = 6;
      const xs = Array.from({ length: n * d }, (_, i) => Math.sin(17 * i + seed) * 0.8);
      const phi = forward(core, net, xs);
      const K = dims[dims.length - 1]!;
      const y = Array.from({ length: n }, (_, b) => (K === 1 ? (phi[b]! >= 0.5 ? 1 : 0) : Array.from(phi.subarray(b * K, (b + 1) * K)).reduce((bi, v, j, a) => (v > a[bi]! ? j : bi), 0)));
      const data: Dataset<Float64Array> = { x: Float64Array.from(xs), y: Float64Array.from(y) };
      const res = analyse(core, net, data, { norm, maxRadius: 2, seed, witnesses: true, certIters: 6, attackIters: 6 });
      for (const p of res.points) {
        const x = xs.slice(p.index * d, (p.index + 1) * d);
        if (!Number.isFinite(p.attacked)) {
          expect(p.eta).toBeNull();
          continue;
        }
        const z = x.map((v, k) => v + p.eta![k]!);
        expect(exactlyWrong(net, z, p.label, res.criterion), `point ${p.index} of ${dims.join('-')}`).toBe(true);
        expect(boundsDistance(p.attacked, x, z, norm)).toBe(true);
        checked++;
      }
      expect(res.witnessChecks.nudged).toBe(res.points.filter((p) => p.witness === 'nudged').length);
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('a witness wrong in f64 only is dropped; one on the exact boundary is nudged outward', () => {
    // φ(x) = ρ(x + 1) − 1/2 (one input); at x = 0: φ = 1/2.
    const net = createNetwork([1, 1, 1], true, [1, 1, 1, -0.5]);
    const t = (y: number): AttackTarget => ({ core, net, criterion: 'binary', norm: 'linf', x: Float64Array.of(0), y, box: null });
    // Label 1, η = 2^-60: f64 φ = 1/2 (|φ − 1| = 1/2, wrong), exactly 1/2 + 2^-60 (right); scaling η up only helps.
    const eta = Float64Array.of(2 ** -60);
    expect(Math.abs(forward(core, net, eta)[0]! - 1)).toBe(0.5);
    expect(exactlyWrong(net, eta, 1, 'binary')).toBe(false);
    expect(soundConfirm(t(1), eta, 'x')).toEqual({ status: 'dropped', witness: null });
    // ψ(x) = ρ(x + 1) − 1, label 0, η = 1/2 − 2^-54: f64 ψ = 1/2 (wrong), exactly 1/2 − 2^-54 (right);
    // η·(1 + 2u) rounds to 1/2, where ψ = 1/2 exactly: wrong, so the witness is nudged.
    const psi = createNetwork([1, 1, 1], true, [1, 1, 1, -1]);
    const e2 = Float64Array.of(0.5 - 2 ** -54);
    expect(forward(core, psi, e2)[0]).toBe(0.5);
    expect(exactlyWrong(psi, e2, 0, 'binary')).toBe(false);
    const c = soundConfirm({ ...t(0), net: psi }, e2, 'x');
    expect(c.status).toBe('nudged');
    expect(exactlyWrong(psi, c.witness!.eta, 0, 'binary')).toBe(true);
    expect(boundsDistance(c.witness!.norm, [0], c.witness!.eta, 'linf')).toBe(true);
    // A point wrong in f64 only: analyse reports it wrong (f64 prediction) with attacked radius ∞ and the drop counted.
    const res = analyse(core, net, { x: Float64Array.of(2 ** -60), y: Float64Array.of(1) }, { witnesses: true });
    expect(res.points[0]).toMatchObject({ correct: false, attacked: Infinity, witness: 'dropped', eta: null });
    expect(res.witnessChecks).toEqual({ nudged: 0, dropped: 1 });
  });
});
