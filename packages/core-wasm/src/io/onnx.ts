/**
 * ONNX import of fully connected ReLU networks (Node and browser; no native code).
 *
 * The graph must be one chain from its single input to its single output through these
 * operators (default domain only):
 *   Gemm, MatMul (with a constant matrix on either side), Add, Sub, Mul, Div (with a constant,
 *   broadcast to the running tensor), Relu, Flatten, Reshape, Squeeze, Unsqueeze, Identity,
 *   Dropout (inference: identity), Constant.
 * Every affine operator between two ReLUs is composed into one layer, so input normalisation
 * (`(x − mean) / std`) is folded into the first layer. Any other operator is refused by name with
 * its node index (`node 7 'Conv' (named "/conv/Conv") is not supported; supported: …`).
 *
 * Exactness: f32 and f64 weights are read exactly (a f32 is a double). A layer made of a single
 * Gemm or MatMul (+ Add) keeps those values bit for bit; a layer that composes several affine
 * operators (normalisation folded in, two matrices without a ReLU between them) holds the
 * composition rounded to nearest double once per entry (sums accumulate in f64). Every result of
 * this package (attacks, certificates, piece counts) is about the real-valued network with the
 * weights of the returned `Network`.
 */
import { CoreError, formatValue } from '../errors.js';
import { createNetwork, LIMITS, type Network } from '../network.js';
import { decodeModel, ONNX_DTYPE, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';

/** Operators `loadOnnx` accepts (default ONNX domain). */
export const ONNX_SUPPORTED_OPS = [
  'Gemm',
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Relu',
  'Flatten',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Identity',
  'Dropout',
  'Constant',
] as const;

/** What `readOnnx` returns besides the network. */
export interface OnnxImport {
  /** The network (`dims = [inputs, hidden widths…, outputs]`, `bias: true`). */
  network: Network;
  /** Name of the graph input. */
  inputName: string;
  /** Declared input shape (`null` for a symbolic dimension such as the batch). */
  inputShape: (number | null)[];
  /** Name of the graph output. */
  outputName: string;
  /** `producer_name producer_version` of the file. */
  producer: string;
  /** ONNX opset version of the default domain (0 when absent). */
  opset: number;
  /** Number of graph nodes read. */
  nodes: number;
}

function fmt(msg: string): CoreError {
  return new CoreError('E_FORMAT', `onnx: ${msg}`);
}

/** A constant tensor: shape and values as doubles. */
interface Const {
  shape: number[];
  data: Float64Array;
}

/**
 * The running value: `A·u + c` where `u` is the input of the pending layer (network input or the
 * previous ReLU's output, `inDim` values). `A = null` means the identity. `shape` is the ONNX
 * shape of the running tensor (batch dimension included, taken as 1).
 */
interface Running {
  name: string;
  shape: number[];
  A: Float64Array | null;
  c: Float64Array;
  inDim: number;
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > LIMITS.maxParams) throw fmt(`${what} has ${n} elements (limit ${LIMITS.maxParams})`);
}

function tensorValues(t: OnnxTensor, where: string): Const {
  if (t.external) throw fmt(`${where}: tensor '${t.name}' keeps its data in an external file; save the model with the weights inside`);
  for (const d of t.dims) if (!Number.isSafeInteger(d) || d < 0) throw fmt(`${where}: tensor '${t.name}' has invalid dimension ${d}`);
  const n = sizeOf(t.dims);
  checkSize(n, `${where}: tensor '${t.name}'`);
  const data = new Float64Array(n);
  const width = t.dataType === ONNX_DTYPE.FLOAT || t.dataType === ONNX_DTYPE.INT32 ? 4 : t.dataType === ONNX_DTYPE.DOUBLE || t.dataType === ONNX_DTYPE.INT64 ? 8 : 0;
  if (width === 0) throw fmt(`${where}: tensor '${t.name}' has data type ${t.dataType}; supported: FLOAT (1), DOUBLE (11), INT32 (6), INT64 (7)`);
  if (t.raw !== undefined) {
    if (t.raw.length !== n * width) throw fmt(`${where}: tensor '${t.name}' has ${t.raw.length} bytes of raw data, expected ${n * width} for shape [${t.dims.join(', ')}]`);
    const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
    for (let i = 0; i < n; i++) {
      switch (t.dataType) {
        case ONNX_DTYPE.FLOAT:
          data[i] = view.getFloat32(4 * i, true);
          break;
        case ONNX_DTYPE.DOUBLE:
          data[i] = view.getFloat64(8 * i, true);
          break;
        case ONNX_DTYPE.INT32:
          data[i] = view.getInt32(4 * i, true);
          break;
        default: {
          const v = view.getBigInt64(8 * i, true);
          data[i] = Number(v);
        }
      }
    }
  } else {
    if (t.values.length !== n) throw fmt(`${where}: tensor '${t.name}' has ${t.values.length} values, expected ${n} for shape [${t.dims.join(', ')}]`);
    data.set(t.values);
  }
  return { shape: [...t.dims], data };
}

function attr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

function intAttr(node: OnnxNode, name: string, dflt: number): number {
  const a = attr(node, name);
  return a?.i ?? dflt;
}

function floatAttr(node: OnnxNode, name: string, dflt: number): number {
  const a = attr(node, name);
  return a?.f ?? dflt;
}

/** Broadcast a constant to `shape` (numpy rules, result must have exactly `shape`). */
function broadcast(k: Const, shape: number[], where: string): Float64Array {
  const n = sizeOf(shape);
  if (k.shape.length > shape.length) throw fmt(`${where}: constant of shape [${k.shape.join(', ')}] does not broadcast to the running shape [${shape.join(', ')}]`);
  const off = shape.length - k.shape.length;
  for (let i = 0; i < k.shape.length; i++) {
    if (k.shape[i] !== 1 && k.shape[i] !== shape[off + i]) {
      throw fmt(`${where}: constant of shape [${k.shape.join(', ')}] does not broadcast to the running shape [${shape.join(', ')}]`);
    }
  }
  const out = new Float64Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < n; f++) {
    let src = 0;
    for (let i = 0; i < k.shape.length; i++) src = src * k.shape[i]! + (k.shape[i] === 1 ? 0 : idx[off + i]!);
    out[f] = k.data[src]!;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** `M·running + bias` with `M` of shape rows × (running length) (row-major). */
function applyMatrix(run: Running, M: Float64Array, rows: number, bias: Float64Array | null): { A: Float64Array; c: Float64Array } {
  const n = run.c.length;
  const k = run.inDim;
  checkSize(rows * k, 'a composed layer');
  const c = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += M[i * n + j]! * run.c[j]!;
    c[i] = s + (bias ? bias[i]! : 0);
  }
  if (run.A === null) return { A: M.slice(), c };
  // Sparse rows of the running matrix, so that a diagonal normalisation costs rows·n, not rows·n·k.
  const A = new Float64Array(rows * k);
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    const nz: number[] = [];
    for (let q = 0; q < k; q++) if (run.A[j * k + q] !== 0) nz.push(q);
    cols.push(nz);
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < n; j++) {
      const m = M[i * n + j]!;
      if (m === 0) continue;
      for (const q of cols[j]!) A[i * k + q]! += m * run.A[j * k + q]!;
    }
  }
  return { A, c };
}

/** Parse, decode and lower; see `loadOnnx`. */
export function readOnnx(bytes: Uint8Array | ArrayBuffer): OnnxImport {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    throw new CoreError('E_ARG', `onnx: expected the file's bytes as a Uint8Array or ArrayBuffer, got ${formatValue(bytes)}`);
  }
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.length === 0) throw fmt('the file is empty');
  let model: OnnxModel;
  try {
    model = decodeModel(u8);
  } catch (e) {
    throw new CoreError('E_FORMAT', `onnx: not a valid ONNX protobuf file (${(e as Error).message})`, { cause: e });
  }
  if (model.graph === null) throw fmt('the file has no graph (is it an ONNX model?)');
  try {
    return lower(model, model.graph);
  } catch (e) {
    if (e instanceof CoreError) throw e;
    // A bug of this module, never the user's: still a clean error, with the cause attached.
    throw new CoreError('E_FORMAT', `onnx: could not read the graph (${(e as Error).message})`, { cause: e });
  }
}

/**
 * Read an ONNX file of a fully connected ReLU network into a `Network` (Node and browser). See
 * the module comment for the operators accepted; anything else throws `CoreError('E_FORMAT')`
 * naming the node. Use `readOnnx` for the input and output names and the declared input shape.
 */
export function loadOnnx(bytes: Uint8Array | ArrayBuffer): Network {
  return readOnnx(bytes).network;
}

function lower(model: OnnxModel, g: OnnxGraph): OnnxImport {
  const defaultOpset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  const consts = new Map<string, Const>();
  for (const t of g.initializers) consts.set(t.name, tensorValues(t, 'initializer'));
  const realInputs = g.inputs.filter((v) => !consts.has(v.name));
  if (realInputs.length !== 1) {
    throw fmt(`the graph must have exactly one input that is not an initializer, found ${realInputs.length}${realInputs.length ? ` (${realInputs.map((v) => `'${v.name}'`).join(', ')})` : ''}`);
  }
  if (g.outputs.length !== 1) throw fmt(`the graph must have exactly one output, found ${g.outputs.length}`);
  const input = realInputs[0]!;
  if (input.shape === null) throw fmt(`input '${input.name}' has no declared shape`);
  const inShape = input.shape.map((d) => (d === null || d === 0 ? 1 : d));
  const d0 = sizeOf(inShape);
  if (d0 < 1 || d0 > LIMITS.maxWidth) throw fmt(`input '${input.name}' has ${d0} values (allowed 1 … ${LIMITS.maxWidth})`);

  const layers: { W: Float64Array; b: Float64Array; rows: number; cols: number }[] = [];
  let run: Running = { name: input.name, shape: inShape, A: null, c: new Float64Array(d0), inDim: d0 };
  let afterRelu = false;

  const supported = ONNX_SUPPORTED_OPS.join(', ');
  g.nodes.forEach((node, idx) => {
    const where = `node ${idx} '${node.opType}'${node.name ? ` (named ${JSON.stringify(node.name)})` : ''}`;
    if ((node.domain !== '' && node.domain !== 'ai.onnx') || !(ONNX_SUPPORTED_OPS as readonly string[]).includes(node.opType)) {
      throw fmt(`${where}${node.domain ? ` in domain '${node.domain}'` : ''} is not supported; supported: ${supported}`);
    }
    const out = node.outputs[0];
    if (out === undefined || out === '') throw fmt(`${where} has no output`);
    if (node.opType === 'Constant') {
      const a = node.attributes.find((x) => x.name === 'value');
      if (a?.t === undefined) throw fmt(`${where}: only the 'value' tensor form of Constant is supported`);
      consts.set(out, tensorValues(a.t, where));
      return;
    }
    const ins = node.inputs.filter((s) => s !== '');
    const runIdx = ins.indexOf(run.name);
    const constOf = (name: string): Const => {
      const k = consts.get(name);
      if (k === undefined) throw fmt(`${where}: input '${name}' is neither a constant nor the running value '${run.name}' (the graph must be a single chain)`);
      return k;
    };
    if (runIdx < 0) {
      // A node on constants only (e.g. a shape computation torch left in): fold it if it is a
      // pure reshape of a constant, else refuse.
      throw fmt(`${where}: none of its inputs (${ins.map((s) => `'${s}'`).join(', ')}) is the running value '${run.name}' (the graph must be a single chain)`);
    }
    if (ins.filter((s) => s === run.name).length > 1) throw fmt(`${where}: uses the running value twice (not an affine operation)`);
    const setShape = (shape: number[]): void => {
      if (sizeOf(shape) !== run.c.length) throw fmt(`${where}: new shape [${shape.join(', ')}] has ${sizeOf(shape)} elements, the running value has ${run.c.length}`);
      run = { ...run, name: out, shape };
    };
    const compose = (M: Float64Array, rows: number, bias: Float64Array | null, shape: number[]): void => {
      if (rows > LIMITS.maxWidth) throw fmt(`${where}: produces ${rows} values (limit ${LIMITS.maxWidth})`);
      const { A, c } = applyMatrix(run, M, rows, bias);
      run = { name: out, shape, A, c, inDim: run.inDim };
      afterRelu = false;
    };
    /** Diagonal scaling (`Mul`/`Div`) and shift (`Add`/`Sub`) by a broadcast constant. */
    const elementwise = (k: Float64Array, op: 'add' | 'sub' | 'rsub' | 'mul' | 'div'): void => {
      const n = run.c.length;
      const c = new Float64Array(n);
      let A = run.A;
      if (op === 'mul' || op === 'div' || op === 'rsub') {
        if (A === null) {
          A = new Float64Array(n * n);
          for (let i = 0; i < n; i++) A[i * n + i] = 1;
        } else A = A.slice();
        const kk = run.inDim;
        for (let i = 0; i < n; i++) {
          for (let q = 0; q < kk; q++) {
            const v = A[i * kk + q]!;
            A[i * kk + q] = op === 'mul' ? v * k[i]! : op === 'div' ? v / k[i]! : -v;
          }
        }
      }
      for (let i = 0; i < n; i++) {
        const v = run.c[i]!;
        c[i] = op === 'add' ? v + k[i]! : op === 'sub' ? v - k[i]! : op === 'rsub' ? k[i]! - v : op === 'mul' ? v * k[i]! : v / k[i]!;
      }
      for (let i = 0; i < n; i++) if (!Number.isFinite(c[i]!)) throw fmt(`${where}: produces a non-finite offset (division by zero?)`);
      if (A !== null) for (let i = 0; i < A.length; i++) if (!Number.isFinite(A[i]!)) throw fmt(`${where}: produces a non-finite weight (division by zero?)`);
      run = { name: out, shape: run.shape, A, c, inDim: run.inDim };
      afterRelu = false;
    };

    switch (node.opType) {
      case 'Identity':
      case 'Dropout':
        run = { ...run, name: out };
        return;
      case 'Relu': {
        if (afterRelu) {
          run = { ...run, name: out };
          return;
        }
        const rows = run.c.length;
        if (layers.length + 1 >= LIMITS.maxLayers) throw fmt(`${where}: more than ${LIMITS.maxLayers} layers`);
        if (rows > LIMITS.maxWidth) throw fmt(`${where}: hidden width ${rows} exceeds the limit of ${LIMITS.maxWidth}`);
        let W = run.A;
        if (W === null) {
          W = new Float64Array(rows * rows);
          for (let i = 0; i < rows; i++) W[i * rows + i] = 1;
        }
        layers.push({ W, b: run.c, rows, cols: run.inDim });
        run = { name: out, shape: run.shape, A: null, c: new Float64Array(rows), inDim: rows };
        afterRelu = true;
        return;
      }
      case 'Flatten': {
        const r = run.shape.length;
        let axis = intAttr(node, 'axis', 1);
        if (axis < 0) axis += r;
        if (axis < 0 || axis > r) throw fmt(`${where}: axis ${intAttr(node, 'axis', 1)} out of range for rank ${r}`);
        setShape([sizeOf(run.shape.slice(0, axis)), sizeOf(run.shape.slice(axis))]);
        return;
      }
      case 'Reshape': {
        if (runIdx !== 0 || ins.length !== 2) throw fmt(`${where}: expected inputs (data, shape)`);
        const s = Array.from(constOf(ins[1]!).data);
        const allowZero = intAttr(node, 'allowzero', 0) === 1;
        const shape = s.map((v, i) => (v === 0 && !allowZero ? (run.shape[i] ?? NaN) : v));
        const neg = shape.filter((v) => v === -1).length;
        if (neg > 1 || shape.some((v) => !Number.isInteger(v) || v < -1)) throw fmt(`${where}: invalid target shape [${s.join(', ')}]`);
        if (neg === 1) {
          const known = sizeOf(shape.filter((v) => v !== -1));
          if (known === 0 || run.c.length % known !== 0) throw fmt(`${where}: cannot infer -1 in [${s.join(', ')}] for ${run.c.length} elements`);
          shape[shape.indexOf(-1)] = run.c.length / known;
        }
        setShape(shape);
        return;
      }
      case 'Squeeze':
      case 'Unsqueeze': {
        const axes = ins.length > 1 ? Array.from(constOf(ins[1]!).data) : (attr(node, 'axes')?.ints ?? []);
        let shape = [...run.shape];
        if (node.opType === 'Squeeze') {
          const r = shape.length;
          const ax = axes.length ? axes.map((a) => (a < 0 ? a + r : a)) : shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
          if (ax.some((a) => a < 0 || a >= r || shape[a] !== 1)) throw fmt(`${where}: cannot squeeze axes [${axes.join(', ')}] of shape [${run.shape.join(', ')}]`);
          shape = shape.filter((_, i) => !ax.includes(i));
        } else {
          const r = shape.length + axes.length;
          const ax = axes.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
          if (ax.some((a) => a < 0 || a >= r)) throw fmt(`${where}: invalid axes [${axes.join(', ')}]`);
          for (const a of ax) shape.splice(a, 0, 1);
        }
        setShape(shape);
        return;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        if (ins.length !== 2) throw fmt(`${where}: expected 2 inputs, got ${ins.length}`);
        const other = constOf(ins[1 - runIdx]!);
        const k = broadcast(other, run.shape, where);
        const op = node.opType;
        if (op === 'Add') elementwise(k, 'add');
        else if (op === 'Mul') elementwise(k, 'mul');
        else if (op === 'Sub') elementwise(k, runIdx === 0 ? 'sub' : 'rsub');
        else if (runIdx === 0) elementwise(k, 'div');
        else throw fmt(`${where}: dividing a constant by the running value is not affine`);
        return;
      }
      case 'MatMul': {
        if (ins.length !== 2) throw fmt(`${where}: expected 2 inputs, got ${ins.length}`);
        const B = constOf(ins[1 - runIdx]!);
        if (B.shape.length !== 2) throw fmt(`${where}: the constant matrix must be 2-D, got shape [${B.shape.join(', ')}]`);
        const [p, q] = B.shape as [number, number];
        const s = run.shape;
        if (runIdx === 0) {
          // x·B: the running tensor is [..., p] with all leading dimensions 1.
          if (s.length < 1 || s[s.length - 1] !== p || sizeOf(s) !== p) throw fmt(`${where}: cannot multiply the running value of shape [${s.join(', ')}] by a [${p}, ${q}] matrix (expected [..., ${p}] with leading dimensions 1)`);
          const M = new Float64Array(q * p);
          for (let i = 0; i < q; i++) for (let j = 0; j < p; j++) M[i * p + j] = B.data[j * q + i]!;
          compose(M, q, null, [...s.slice(0, -1), q]);
        } else {
          // B·x: the running tensor is [p] or [..., p, 1].
          const ok = (s.length === 1 && s[0] === q) || (s.length >= 2 && s[s.length - 2] === q && s[s.length - 1] === 1 && sizeOf(s) === q);
          if (!ok) throw fmt(`${where}: cannot multiply a [${p}, ${q}] matrix by the running value of shape [${s.join(', ')}]`);
          compose(B.data, p, null, s.length === 1 ? [p] : [...s.slice(0, -2), p, 1]);
        }
        return;
      }
      case 'Gemm': {
        if (runIdx !== 0) throw fmt(`${where}: the running value must be the first input A (got it as input ${runIdx})`);
        if (ins.length < 2) throw fmt(`${where}: expected inputs (A, B[, C])`);
        if (intAttr(node, 'transA', 0) !== 0) throw fmt(`${where}: transA=1 is not supported`);
        const s = run.shape;
        const B = constOf(ins[1]!);
        if (B.shape.length !== 2) throw fmt(`${where}: B must be 2-D, got shape [${B.shape.join(', ')}]`);
        const transB = intAttr(node, 'transB', 0) !== 0;
        const [kDim, nDim] = (transB ? [B.shape[1], B.shape[0]] : [B.shape[0], B.shape[1]]) as [number, number];
        if (s.length !== 2 || s[0] !== 1 || s[1] !== kDim) throw fmt(`${where}: A must have shape [batch, ${kDim}], the running value has shape [${s.join(', ')}]`);
        const alpha = floatAttr(node, 'alpha', 1);
        const beta = floatAttr(node, 'beta', 1);
        const M = new Float64Array(nDim * kDim);
        for (let i = 0; i < nDim; i++) {
          for (let j = 0; j < kDim; j++) {
            const w = transB ? B.data[i * kDim + j]! : B.data[j * nDim + i]!;
            M[i * kDim + j] = alpha === 1 ? w : alpha * w;
          }
        }
        let bias: Float64Array | null = null;
        if (ins.length > 2) {
          bias = broadcast(constOf(ins[2]!), [1, nDim], where);
          if (beta !== 1) for (let i = 0; i < nDim; i++) bias[i] = beta * bias[i]!;
        }
        compose(M, nDim, bias, [1, nDim]);
        return;
      }
    }
  });

  if (run.name !== g.outputs[0]!.name) {
    throw fmt(`the graph output '${g.outputs[0]!.name}' is not the end of the chain of supported operators (which ends at '${run.name}')`);
  }
  if (afterRelu) throw fmt('the network ends with a ReLU; the output layer must be affine (a network φ ≥ 0 would need an extra identity layer)');
  const outDim = run.c.length;
  let W = run.A;
  if (W === null) {
    W = new Float64Array(outDim * outDim);
    for (let i = 0; i < outDim; i++) W[i * outDim + i] = 1;
  }
  layers.push({ W, b: run.c, rows: outDim, cols: run.inDim });
  const dims = [d0, ...layers.map((l) => l.rows)];
  if (dims.length - 1 > LIMITS.maxLayers) throw fmt(`${dims.length - 1} layers exceed the limit of ${LIMITS.maxLayers}`);
  for (const w of dims) if (w > LIMITS.maxWidth) throw fmt(`layer width ${w} exceeds the limit of ${LIMITS.maxWidth}`);
  let total = 0;
  for (const l of layers) total += l.W.length + l.b.length;
  checkSize(total, 'the network');
  const params = new Float64Array(total);
  let off = 0;
  layers.forEach((l, i) => {
    for (let q = 0; q < l.W.length; q++) if (!Number.isFinite(l.W[q]!)) throw fmt(`layer ${i + 1}: weight ${q} is not finite (${l.W[q]})`);
    for (let q = 0; q < l.b.length; q++) if (!Number.isFinite(l.b[q]!)) throw fmt(`layer ${i + 1}: bias ${q} is not finite (${l.b[q]})`);
    params.set(l.W, off);
    off += l.W.length;
    params.set(l.b, off);
    off += l.b.length;
  });
  return {
    network: createNetwork(dims, true, params),
    inputName: input.name,
    inputShape: input.shape,
    outputName: g.outputs[0]!.name,
    producer: `${model.producerName} ${model.producerVersion}`.trim(),
    opset: defaultOpset,
    nodes: g.nodes.length,
  };
}
