import { describe, expect, it, beforeAll } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CoreError, forward, loadCore, networkFromJSON, networkToJSON, type Core, type Network } from '../src/index.js';
import { loadOnnx, ONNX_SUPPORTED_OPS, readOnnx } from '../src/io/onnx.js';
import { writeOnnx, type GraphSpec } from './onnx-writer.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** max over points of max_j |a_j − b_j| / max_j |b_j| (relative to the point's output scale). */
function relErr(got: ArrayLike<number>, want: number[][]): number {
  let worst = 0;
  const k = want[0]!.length;
  want.forEach((row, b) => {
    const scale = Math.max(...row.map(Math.abs), 1e-300);
    row.forEach((v, j) => (worst = Math.max(worst, Math.abs(got[b * k + j]! - v) / scale)));
  });
  return worst;
}

function formatError(bytes: Uint8Array): CoreError {
  try {
    loadOnnx(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    expect((e as CoreError).code).toBe('E_FORMAT');
    return e as CoreError;
  }
  throw new Error('expected an E_FORMAT error');
}

/** f64 evaluation of y = W2 relu(W1 ((x − m)/s) + b1) + b2 straight from the graph's tensors. */
function normNetRef(x: number[], m: number[], s: number[], W1: number[], b1: number[], W2: number[], b2: number[]): number[] {
  const u = x.map((v, i) => (v - m[i]!) / s[i]!);
  const h = b1.map((b, i) => Math.max(0, u.reduce((acc, v, j) => acc + W1[i * u.length + j]! * v, 0) + b));
  return b2.map((b, i) => h.reduce((acc, v, j) => acc + W2[i * h.length + j]! * v, 0) + b);
}

const f32 = (v: number) => Math.fround(v);

describe('loadOnnx: networks written by PyTorch (torch.onnx.export)', () => {
  const dir = `${fixtures}onnx-torch/`;
  const names = readdirSync(dir).filter((f) => f.endsWith('.onnx'));
  it('finds the fixtures', () => expect(names.length).toBeGreaterThanOrEqual(4));
  for (const name of names) {
    it(`${name}: equals the torch float64 forward pass to 1e-12 relative`, () => {
      const exp = JSON.parse(readFileSync(dir + name.replace('.onnx', '.expected.json'), 'utf8')) as { inputs: number[][]; outputs: number[][] };
      const imp = readOnnx(readFileSync(dir + name));
      expect(imp.producer).toMatch(/^pytorch/);
      expect(imp.network.dims[0]).toBe(exp.inputs[0]!.length);
      expect(imp.network.dims.at(-1)).toBe(exp.outputs[0]!.length);
      const y = forward(core, imp.network, exp.inputs.flat());
      expect(relErr(y, exp.outputs)).toBeLessThanOrEqual(1e-12);
    });
  }
  it('reads f32 weights exactly when no affine operator is folded', () => {
    const net = loadOnnx(readFileSync(`${dir}mlp-2-8-1.onnx`));
    for (const v of net.params) expect(f32(v)).toBe(v);
    expect(net.dims).toEqual([2, 8, 1]);
  });
  it('keeps the multi-output network through paradox-network/1 JSON', () => {
    const net = loadOnnx(readFileSync(`${dir}mlp-5-16-16-12-3.onnx`));
    expect(net.dims).toEqual([5, 16, 16, 12, 3]);
    const back = networkFromJSON(JSON.stringify(networkToJSON(net)));
    expect(back.dims).toEqual(net.dims);
    expect(Array.from(back.params)).toEqual(Array.from(net.params));
  });
  it('tools/export_torch.py wrote the same networks as paradox-network/1 JSON (same weights, same outputs)', () => {
    const jsons = readdirSync(dir).filter((f) => f.endsWith('.paradox.json'));
    expect(jsons.length).toBeGreaterThanOrEqual(3);
    for (const f of jsons) {
      const fromJson = networkFromJSON(readFileSync(dir + f, 'utf8'));
      const fromOnnx = loadOnnx(readFileSync(dir + f.replace('.paradox.json', '.onnx')));
      expect(fromJson.dims).toEqual(fromOnnx.dims);
      expect(Array.from(fromJson.params)).toEqual(Array.from(fromOnnx.params));
      const exp = JSON.parse(readFileSync(dir + f.replace('.paradox.json', '.expected.json'), 'utf8')) as { inputs: number[][]; outputs: number[][] };
      expect(relErr(forward(core, fromJson, exp.inputs.flat()), exp.outputs)).toBeLessThanOrEqual(1e-12);
    }
  });
  it('reports the symbolic batch dimension as null', () => {
    const imp = readOnnx(readFileSync(`${dir}dynamic-batch-3-6-6-2.onnx`));
    expect(imp.inputShape).toEqual([null, 3]);
    expect(imp.network.dims).toEqual([3, 6, 6, 2]);
  });
});

describe('loadOnnx: VNN-COMP 2021 networks (ACAS Xu, MNIST fully connected)', () => {
  const ref = JSON.parse(readFileSync(`${fixtures}vnncomp2021/reference.json`, 'utf8')) as {
    networks: Record<string, { inputs: number[][]; outputs: number[][] }>;
  };
  const files = Object.keys(ref.networks);
  it('has the 45 ACAS Xu networks and the 3 MNIST networks', () => {
    expect(files.filter((f) => f.startsWith('acasxu/')).length).toBe(45);
    expect(files.filter((f) => f.startsWith('mnistfc/')).sort()).toEqual(['mnistfc/mnist-net_256x2.onnx', 'mnistfc/mnist-net_256x4.onnx', 'mnistfc/mnist-net_256x6.onnx']);
  });
  it('every network evaluates like the independent onnx+numpy reference to 1e-12 relative', () => {
    for (const f of files) {
      const net = loadOnnx(readFileSync(`${fixtures}vnncomp2021/${f}`));
      const r = ref.networks[f]!;
      const y = forward(core, net, r.inputs.flat());
      const err = relErr(y, r.outputs);
      if (!(err <= 1e-12)) throw new Error(`${f}: relative error ${err}`);
      if (f.startsWith('acasxu/')) expect(net.dims).toEqual([5, 50, 50, 50, 50, 50, 50, 5]);
    }
  });
  it('mnist-net_256x2 has the documented architecture', () => {
    expect(loadOnnx(readFileSync(`${fixtures}vnncomp2021/mnistfc/mnist-net_256x2.onnx`)).dims).toEqual([784, 256, 256, 10]);
  });
});

describe('loadOnnx: hand-made graphs', () => {
  const m = [0.5, -1, 2];
  const s = [2, 0.25, 3];
  const W1 = [1, -2, 0.5, 0.25, 3, -1, 2, 2, -0.5, -1.5, 0.75, 1]; // 4×3 (Gemm transB=1)
  const b1 = [0.1, -0.2, 0.3, 0];
  const W2 = [1, -1, 0.5, 2, -3, 0.25, 1, -1]; // 2×4
  const b2 = [0.5, -0.5];
  const normGraph = (): GraphSpec => ({
    input: { name: 'x', shape: [null, 3] },
    output: 'y',
    initializers: [
      { name: 'm', dims: [3], values: m },
      { name: 's', dims: [1, 3], values: s, raw: true },
      { name: 'W1', dims: [4, 3], values: W1 },
      { name: 'b1', dims: [4], values: b1, dataType: 11 },
      { name: 'W2t', dims: [4, 2], values: [0, 1, 2, 3].flatMap((j) => [W2[j]!, W2[4 + j]!]) },
      { name: 'b2', dims: [2], values: b2 },
    ],
    nodes: [
      { op: 'Sub', inputs: ['x', 'm'], outputs: ['a'] },
      { op: 'Div', inputs: ['a', 's'], outputs: ['b'] },
      { op: 'Identity', inputs: ['b'], outputs: ['c'] },
      { op: 'Gemm', inputs: ['c', 'W1', 'b1'], outputs: ['h'], ints: { transB: 1 } },
      { op: 'Relu', inputs: ['h'], outputs: ['r'] },
      { op: 'MatMul', inputs: ['r', 'W2t'], outputs: ['z'] },
      { op: 'Add', inputs: ['z', 'b2'], outputs: ['y'] },
    ],
  });

  it('folds Sub/Div normalisation into the first layer and matches the graph evaluated in f64', () => {
    const net = loadOnnx(writeOnnx(normGraph()));
    expect(net.dims).toEqual([3, 4, 2]);
    const xs = [
      [0.3, -0.7, 1.9],
      [-2, 4, 0.125],
      [10, -10, 3],
    ];
    const y = forward(core, net, xs.flat());
    expect(relErr(y, xs.map((x) => normNetRef(x, m, s, W1, b1, W2, b2)))).toBeLessThanOrEqual(1e-14);
  });

  it('accepts a constant matrix on the left of MatMul (W·x with x of shape [n, 1])', () => {
    const g: GraphSpec = {
      input: { name: 'x', shape: [3, 1] },
      output: 'y',
      initializers: [
        { name: 'W', dims: [2, 3], values: [1, 2, 3, -1, 0.5, 4] },
        { name: 'b', dims: [2, 1], values: [0.25, -0.5] },
        { name: 'V', dims: [1, 2], values: [2, -3] },
      ],
      nodes: [
        { op: 'MatMul', inputs: ['W', 'x'], outputs: ['h'] },
        { op: 'Add', inputs: ['b', 'h'], outputs: ['hb'] },
        { op: 'Relu', inputs: ['hb'], outputs: ['r'] },
        { op: 'MatMul', inputs: ['V', 'r'], outputs: ['y'] },
      ],
    };
    const net = loadOnnx(writeOnnx(g));
    expect(net.dims).toEqual([3, 2, 1]);
    const y = forward(core, net, [1, 1, 1, -1, 2, 0]);
    // h = [6, 3.5] → [6.25, 3] → 12.5 − 9; h = [3, 2] → [3.25, 1.5] → 6.5 − 4.5.
    expect(Array.from(y)).toEqual([3.5, 2]);
  });

  it('refuses an unsupported operator by name, index and node name, listing the supported ones', () => {
    const g = normGraph();
    g.nodes.splice(2, 0, { op: 'Conv', inputs: ['b', 'W1'], outputs: ['b2x'], name: '/conv/Conv' });
    const e = formatError(writeOnnx(g));
    expect(e.message).toBe(`onnx: node 2 'Conv' (named "/conv/Conv") is not supported; supported: ${ONNX_SUPPORTED_OPS.join(', ')}`);
  });

  it('refuses operators of a non-default domain, branches, a final ReLU and an empty file', () => {
    const g1 = normGraph();
    g1.nodes[4] = { op: 'Relu', inputs: ['h'], outputs: ['r'], domain: 'com.microsoft' };
    expect(formatError(writeOnnx(g1)).message).toMatch(/^onnx: node 4 'Relu' in domain 'com\.microsoft' is not supported/);
    const g2 = normGraph();
    g2.nodes[6] = { op: 'Add', inputs: ['z', 'r'], outputs: ['y'] };
    expect(formatError(writeOnnx(g2)).message).toMatch(/node 6 'Add': input 'r' is neither a constant nor the running value 'z'/);
    const g3 = normGraph();
    g3.nodes.push({ op: 'Relu', inputs: ['y'], outputs: ['y2'] });
    g3.output = 'y2';
    expect(formatError(writeOnnx(g3)).message).toMatch(/ends with a ReLU/);
    const g4 = normGraph();
    g4.output = 'h';
    expect(formatError(writeOnnx(g4)).message).toMatch(/graph output 'h' is not the end of the chain/);
    expect(formatError(new Uint8Array(0)).message).toBe('onnx: the file is empty');
    expect(formatError(new TextEncoder().encode('{"format": "paradox-network/1"}')).message).toMatch(/^onnx: not a valid ONNX protobuf file|^onnx: the file has no graph/);
  });

  it('refuses shape mismatches with both shapes named', () => {
    const g = normGraph();
    g.initializers[2] = { name: 'W1', dims: [4, 5], values: new Array(20).fill(1) };
    expect(formatError(writeOnnx(g)).message).toMatch(/node 3 'Gemm': A must have shape \[batch, 5\], the running value has shape \[1, 3\]/);
    const g2 = normGraph();
    g2.initializers[1] = { name: 's', dims: [2], values: [1, 1] };
    expect(formatError(writeOnnx(g2)).message).toMatch(/node 1 'Div': constant of shape \[2\] does not broadcast to the running shape \[1, 3\]/);
    const g3 = normGraph();
    g3.initializers[1] = { name: 's', dims: [3], values: [1, 0, 1] };
    expect(formatError(writeOnnx(g3)).message).toMatch(/node 1 'Div': produces a non-finite (offset|weight) \(division by zero\?\)/);
  });
});

describe('loadOnnx: fuzzed files never trap', () => {
  const seeds: Uint8Array[] = [
    new Uint8Array(readFileSync(`${fixtures}onnx-torch/norm-flatten-12-10-4.onnx`)),
    new Uint8Array(readFileSync(`${fixtures}onnx-torch/mlp-5-16-16-12-3.onnx`)),
  ];
  const check = (bytes: Uint8Array): void => {
    let net: Network | undefined;
    try {
      net = loadOnnx(bytes);
    } catch (e) {
      if (!(e instanceof CoreError) || e.code !== 'E_FORMAT') throw new Error(`not a clean E_FORMAT: ${String(e)}`, { cause: e });
      return;
    }
    // What loads is a valid network whose forward pass is finite on a finite input.
    const y = forward(core, net, new Float64Array(net.dims[0]!).fill(0.5));
    for (const v of y) expect(Number.isFinite(v) || Math.abs(v) === Infinity).toBe(true);
  };
  it('byte flips, truncations, insertions and deletions give a network or a clean E_FORMAT', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.constantFrom('flip', 'set', 'cut', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (which, edits) => {
          let b = Array.from(seeds[which]!);
          for (const [kind, pos, val] of edits) {
            const p = b.length ? pos % b.length : 0;
            if (kind === 'flip') b[p] = b[p]! ^ (1 << val % 8);
            else if (kind === 'set') b[p] = val;
            else if (kind === 'cut') b = b.slice(0, p);
            else if (kind === 'insert') b.splice(p, 0, val);
            else b.splice(p, 1 + (val % 16));
          }
          check(Uint8Array.from(b));
        },
      ),
      { numRuns: 400 },
    );
  });
  it('random byte strings give a clean E_FORMAT', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), (b) => check(b)), { numRuns: 300 });
  });
});
