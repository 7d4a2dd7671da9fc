/**
 * The part of the ONNX protobuf schema (onnx.proto3, IR version ≤ 10) that a fully connected ReLU
 * network needs, decoded field by field with the wire reader of `@bufbuild/protobuf`. Unknown
 * fields are skipped, as protobuf requires, so models written by newer exporters still load.
 * Every malformed input ends in an exception that `onnx.ts` turns into `CoreError('E_FORMAT')`.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** ONNX `TensorProto.DataType` values this package reads (others are reported by number). */
export const ONNX_DTYPE = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;

/** A tensor as stored: dims, element type and the raw or typed payload. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  /** `raw_data` (little-endian), when present. */
  raw?: Uint8Array;
  /** `float_data`, `double_data`, `int32_data` or `int64_data`, whichever was present. */
  values: number[];
  /** Whether the tensor points at external data (not supported: the weights are not in the file). */
  external: boolean;
}

/** A node attribute; only the scalar, tensor and list kinds a fully connected graph uses are kept. */
export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: string;
  t?: OnnxTensor;
  ints: number[];
  floats: number[];
}

/** A graph node. */
export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
}

/** A graph input or output: name and shape (`null` for a symbolic or absent dimension). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  shape: (number | null)[] | null;
}

/** The decoded graph. */
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** The decoded model. */
export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: { domain: string; version: number }[];
  graph: OnnxGraph | null;
}

/** Thrown for structurally invalid protobuf content (converted to `E_FORMAT` by the caller). */
export class OnnxDecodeError extends Error {}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function int64(r: BinaryReader): number {
  const v = r.int64();
  const n = Number(v);
  if (!Number.isSafeInteger(n) || Math.abs(n) > MAX_SAFE) throw new OnnxDecodeError(`integer ${String(v)} out of range`);
  return n;
}

/** Read a repeated scalar field that may be packed (one length-delimited run) or not. */
function repeated(r: BinaryReader, wt: WireType, one: () => number, out: number[]): void {
  if (wt === WireType.LengthDelimited) {
    const len = r.uint32();
    const end = r.pos + len;
    if (end > r.len) throw new OnnxDecodeError('packed field runs past the end of its message');
    while (r.pos < end) out.push(one());
    if (r.pos !== end) throw new OnnxDecodeError('packed field has a truncated element');
  } else {
    out.push(one());
  }
}

/** Sub-reader over the next length-delimited field (bounds checked by `bytes()`). */
function sub(r: BinaryReader): BinaryReader {
  return new BinaryReader(r.bytes());
}

function expectWire(got: WireType, want: WireType, field: string): void {
  if (got !== want) throw new OnnxDecodeError(`field ${field} has wire type ${got}, expected ${want}`);
}

function decodeTensor(r: BinaryReader): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, values: [], external: false };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    switch (no) {
      case 1:
        repeated(r, wt, () => int64(r), t.dims);
        break;
      case 2:
        expectWire(wt, WireType.Varint, 'TensorProto.data_type');
        t.dataType = r.int32();
        break;
      case 4:
        repeated(r, wt, () => r.float(), t.values);
        break;
      case 5:
        repeated(r, wt, () => r.int32(), t.values);
        break;
      case 7:
        repeated(r, wt, () => int64(r), t.values);
        break;
      case 8:
        expectWire(wt, WireType.LengthDelimited, 'TensorProto.name');
        t.name = r.string();
        break;
      case 9:
        expectWire(wt, WireType.LengthDelimited, 'TensorProto.raw_data');
        t.raw = r.bytes();
        break;
      case 10:
        repeated(r, wt, () => r.double(), t.values);
        break;
      case 13:
        expectWire(wt, WireType.LengthDelimited, 'TensorProto.external_data');
        r.skip(wt);
        t.external = true;
        break;
      case 14:
        expectWire(wt, WireType.Varint, 'TensorProto.data_location');
        if (r.int32() === 1) t.external = true;
        break;
      default:
        r.skip(wt, no);
    }
  }
  return t;
}

function decodeAttribute(r: BinaryReader): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0, ints: [], floats: [] };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    switch (no) {
      case 1:
        expectWire(wt, WireType.LengthDelimited, 'AttributeProto.name');
        a.name = r.string();
        break;
      case 2:
        expectWire(wt, WireType.Bit32, 'AttributeProto.f');
        a.f = r.float();
        break;
      case 3:
        expectWire(wt, WireType.Varint, 'AttributeProto.i');
        a.i = int64(r);
        break;
      case 4:
        expectWire(wt, WireType.LengthDelimited, 'AttributeProto.s');
        a.s = new TextDecoder('utf-8', { fatal: false }).decode(r.bytes());
        break;
      case 5:
        expectWire(wt, WireType.LengthDelimited, 'AttributeProto.t');
        a.t = decodeTensor(sub(r));
        break;
      case 7:
        repeated(r, wt, () => r.float(), a.floats);
        break;
      case 8:
        repeated(r, wt, () => int64(r), a.ints);
        break;
      case 20:
        expectWire(wt, WireType.Varint, 'AttributeProto.type');
        a.type = r.int32();
        break;
      default:
        r.skip(wt, no);
    }
  }
  return a;
}

function decodeNode(r: BinaryReader): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    switch (no) {
      case 1:
        expectWire(wt, WireType.LengthDelimited, 'NodeProto.input');
        n.inputs.push(r.string());
        break;
      case 2:
        expectWire(wt, WireType.LengthDelimited, 'NodeProto.output');
        n.outputs.push(r.string());
        break;
      case 3:
        expectWire(wt, WireType.LengthDelimited, 'NodeProto.name');
        n.name = r.string();
        break;
      case 4:
        expectWire(wt, WireType.LengthDelimited, 'NodeProto.op_type');
        n.opType = r.string();
        break;
      case 5:
        expectWire(wt, WireType.LengthDelimited, 'NodeProto.attribute');
        n.attributes.push(decodeAttribute(sub(r)));
        break;
      case 7:
        expectWire(wt, WireType.LengthDelimited, 'NodeProto.domain');
        n.domain = r.string();
        break;
      default:
        r.skip(wt, no);
    }
  }
  return n;
}

function decodeShape(r: BinaryReader): (number | null)[] {
  const dims: (number | null)[] = [];
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1) {
      expectWire(wt, WireType.LengthDelimited, 'TensorShapeProto.dim');
      const d = sub(r);
      let v: number | null = null;
      while (d.pos < d.len) {
        const [dn, dw] = d.tag();
        if (dn === 1) {
          expectWire(dw, WireType.Varint, 'Dimension.dim_value');
          v = int64(d);
        } else d.skip(dw, dn);
      }
      dims.push(v);
    } else r.skip(wt, no);
  }
  return dims;
}

function decodeValueInfo(r: BinaryReader): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', elemType: 0, shape: null };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (no === 1) {
      expectWire(wt, WireType.LengthDelimited, 'ValueInfoProto.name');
      v.name = r.string();
    } else if (no === 2) {
      expectWire(wt, WireType.LengthDelimited, 'ValueInfoProto.type');
      const tp = sub(r);
      while (tp.pos < tp.len) {
        const [tn, tw] = tp.tag();
        if (tn === 1) {
          expectWire(tw, WireType.LengthDelimited, 'TypeProto.tensor_type');
          const tt = sub(tp);
          while (tt.pos < tt.len) {
            const [fn, fw] = tt.tag();
            if (fn === 1) {
              expectWire(fw, WireType.Varint, 'TypeProto.Tensor.elem_type');
              v.elemType = tt.int32();
            } else if (fn === 2) {
              expectWire(fw, WireType.LengthDelimited, 'TypeProto.Tensor.shape');
              v.shape = decodeShape(sub(tt));
            } else tt.skip(fw, fn);
          }
        } else tp.skip(tw, tn);
      }
    } else r.skip(wt, no);
  }
  return v;
}

function decodeGraph(r: BinaryReader): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [] };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    switch (no) {
      case 1:
        expectWire(wt, WireType.LengthDelimited, 'GraphProto.node');
        g.nodes.push(decodeNode(sub(r)));
        break;
      case 2:
        expectWire(wt, WireType.LengthDelimited, 'GraphProto.name');
        g.name = r.string();
        break;
      case 5:
        expectWire(wt, WireType.LengthDelimited, 'GraphProto.initializer');
        g.initializers.push(decodeTensor(sub(r)));
        break;
      case 11:
        expectWire(wt, WireType.LengthDelimited, 'GraphProto.input');
        g.inputs.push(decodeValueInfo(sub(r)));
        break;
      case 12:
        expectWire(wt, WireType.LengthDelimited, 'GraphProto.output');
        g.outputs.push(decodeValueInfo(sub(r)));
        break;
      default:
        r.skip(wt, no);
    }
  }
  return g;
}

/** Decode the `ModelProto` in `bytes` (throws on malformed protobuf). */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const r = new BinaryReader(bytes);
  const m: OnnxModel = { irVersion: 0, producerName: '', producerVersion: '', opsets: [], graph: null };
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    switch (no) {
      case 1:
        expectWire(wt, WireType.Varint, 'ModelProto.ir_version');
        m.irVersion = int64(r);
        break;
      case 2:
        expectWire(wt, WireType.LengthDelimited, 'ModelProto.producer_name');
        m.producerName = r.string();
        break;
      case 3:
        expectWire(wt, WireType.LengthDelimited, 'ModelProto.producer_version');
        m.producerVersion = r.string();
        break;
      case 7:
        expectWire(wt, WireType.LengthDelimited, 'ModelProto.graph');
        m.graph = decodeGraph(sub(r));
        break;
      case 8: {
        expectWire(wt, WireType.LengthDelimited, 'ModelProto.opset_import');
        const o = sub(r);
        const op = { domain: '', version: 0 };
        while (o.pos < o.len) {
          const [on, ow] = o.tag();
          if (on === 1) {
            expectWire(ow, WireType.LengthDelimited, 'OperatorSetIdProto.domain');
            op.domain = o.string();
          } else if (on === 2) {
            expectWire(ow, WireType.Varint, 'OperatorSetIdProto.version');
            op.version = int64(o);
          } else o.skip(ow, on);
        }
        m.opsets.push(op);
        break;
      }
      default:
        r.skip(wt, no);
    }
  }
  return m;
}
