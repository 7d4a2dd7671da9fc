// A tiny ONNX writer for tests: builds ModelProto bytes for hand-made graphs (refused operators,
// normalisation, MatMul on either side) with the protobuf wire writer. Field numbers follow
// onnx.proto3; only what the tests need.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export interface TensorSpec {
  name: string;
  dims: number[];
  /** FLOAT (1) by default; DOUBLE (11), INT64 (7). */
  dataType?: number;
  values: number[];
  /** Store the values as raw_data (little-endian) instead of the typed field. */
  raw?: boolean;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  ints?: Record<string, number>;
  floats?: Record<string, number>;
  intLists?: Record<string, number[]>;
  tensor?: Record<string, TensorSpec>;
}

export interface GraphSpec {
  input: { name: string; shape: (number | null)[] };
  output: string;
  nodes: NodeSpec[];
  initializers: TensorSpec[];
  opset?: number;
}

function tensor(w: BinaryWriter, t: TensorSpec): void {
  const dt = t.dataType ?? 1;
  for (const d of t.dims) w.tag(1, WireType.Varint).int64(d);
  w.tag(2, WireType.Varint).int32(dt);
  w.tag(8, WireType.LengthDelimited).string(t.name);
  if (t.raw) {
    const size = dt === 1 ? 4 : 8;
    const buf = new Uint8Array(t.values.length * size);
    const v = new DataView(buf.buffer);
    t.values.forEach((x, i) => (dt === 1 ? v.setFloat32(4 * i, x, true) : dt === 11 ? v.setFloat64(8 * i, x, true) : v.setBigInt64(8 * i, BigInt(x), true)));
    w.tag(9, WireType.LengthDelimited).bytes(buf);
  } else if (dt === 1) {
    w.tag(4, WireType.LengthDelimited).fork();
    for (const x of t.values) w.float(x);
    w.join();
  } else if (dt === 11) {
    w.tag(10, WireType.LengthDelimited).fork();
    for (const x of t.values) w.double(x);
    w.join();
  } else {
    w.tag(7, WireType.LengthDelimited).fork();
    for (const x of t.values) w.int64(x);
    w.join();
  }
}

function valueInfo(w: BinaryWriter, name: string, shape: (number | null)[] | null): void {
  w.tag(1, WireType.LengthDelimited).string(name);
  w.tag(2, WireType.LengthDelimited).fork(); // TypeProto
  w.tag(1, WireType.LengthDelimited).fork(); // tensor_type
  w.tag(1, WireType.Varint).int32(1);
  if (shape) {
    w.tag(2, WireType.LengthDelimited).fork();
    for (const d of shape) {
      w.tag(1, WireType.LengthDelimited).fork();
      if (d === null) w.tag(2, WireType.LengthDelimited).string('batch');
      else w.tag(1, WireType.Varint).int64(d);
      w.join();
    }
    w.join();
  }
  w.join().join();
}

/** The bytes of an ONNX model for `g`. */
export function writeOnnx(g: GraphSpec): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int64(8);
  w.tag(2, WireType.LengthDelimited).string('paradox-test');
  w.tag(7, WireType.LengthDelimited).fork();
  for (const n of g.nodes) {
    w.tag(1, WireType.LengthDelimited).fork();
    for (const i of n.inputs) w.tag(1, WireType.LengthDelimited).string(i);
    for (const o of n.outputs) w.tag(2, WireType.LengthDelimited).string(o);
    if (n.name) w.tag(3, WireType.LengthDelimited).string(n.name);
    w.tag(4, WireType.LengthDelimited).string(n.op);
    for (const [k, v] of Object.entries(n.ints ?? {})) {
      w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(k).tag(3, WireType.Varint).int64(v).tag(20, WireType.Varint).int32(2).join();
    }
    for (const [k, v] of Object.entries(n.floats ?? {})) {
      w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(k).tag(2, WireType.Bit32).float(v).tag(20, WireType.Varint).int32(1).join();
    }
    for (const [k, v] of Object.entries(n.intLists ?? {})) {
      w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(k);
      for (const x of v) w.tag(8, WireType.Varint).int64(x);
      w.tag(20, WireType.Varint).int32(7).join();
    }
    for (const [k, t] of Object.entries(n.tensor ?? {})) {
      w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(k).tag(5, WireType.LengthDelimited).fork();
      tensor(w, t);
      w.join().tag(20, WireType.Varint).int32(4).join();
    }
    if (n.domain) w.tag(7, WireType.LengthDelimited).string(n.domain);
    w.join();
  }
  w.tag(2, WireType.LengthDelimited).string('g');
  for (const t of g.initializers) {
    w.tag(5, WireType.LengthDelimited).fork();
    tensor(w, t);
    w.join();
  }
  w.tag(11, WireType.LengthDelimited).fork();
  valueInfo(w, g.input.name, g.input.shape);
  w.join();
  w.tag(12, WireType.LengthDelimited).fork();
  valueInfo(w, g.output, null);
  w.join();
  w.join();
  w.tag(8, WireType.LengthDelimited).fork().tag(2, WireType.Varint).int64(g.opset ?? 13).join();
  return w.finish();
}
