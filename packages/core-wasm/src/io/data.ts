/**
 * Labelled data sets from CSV, NPY and JSON (Node and browser: parsers take text or bytes, reading
 * files is the caller's business), the input box, and the two correctness criteria of
 * `analyse`: binary (one output, correct iff |φ − y| < 1/2, SPEC §1) and multi-class (argmax,
 * margin φ_y − max_{j≠y} φ_j > 0).
 */
import { CoreError, formatValue } from '../errors.js';
import type { Dataset } from '../mlp.js';
import { LIMITS } from '../network.js';

/**
 * Size of a labelled data set (`Dataset` with one label per point: 0/1 for binary, class indices
 * 0 … K−1 for multi-class): n = `y.length` points of d = `x.length / n` coordinates. Throws
 * E_SHAPE when `x` does not hold n whole points.
 */
export function dataShape(data: Dataset): { n: number; d: number } {
  const n = data.y.length;
  const d = n === 0 ? 0 : data.x.length / n;
  if (n === 0 || d < 1 || !Number.isInteger(d)) {
    throw new CoreError('E_SHAPE', `data: ${data.x.length} coordinates and ${n} labels do not make whole points (one label per point)`);
  }
  return { n, d };
}

/** An input box: every coordinate of every input lies in [lo_k, hi_k] (e.g. pixels in [0, 1]). */
export interface InputBox {
  lo: Float64Array;
  hi: Float64Array;
}

/** Correctness criterion. */
export type Criterion = 'binary' | 'multiclass';

/** The JSON data format tag. */
export const DATA_FORMAT = 'paradox-data/1';

function bad(where: string, msg: string): never {
  throw new CoreError('E_FORMAT', `${where}: ${msg}`);
}

function finishData(where: string, rows: number[][], labels: number[]): Dataset<Float64Array> {
  const n = rows.length;
  if (n === 0) bad(where, 'no data points');
  if (n > LIMITS.maxPoints) throw new CoreError('E_RANGE', `${where}: ${n} points exceed the limit of ${LIMITS.maxPoints}`);
  const d = rows[0]!.length;
  if (d < 1) bad(where, 'points have no coordinates');
  if (n * d > LIMITS.maxDataValues) throw new CoreError('E_RANGE', `${where}: ${n * d} values exceed the limit of ${LIMITS.maxDataValues}`);
  const x = new Float64Array(n * d);
  rows.forEach((r, i) => {
    if (r.length !== d) bad(`${where} point ${i}`, `expected ${d} coordinates like point 0, got ${r.length}`);
    r.forEach((v, k) => {
      if (!Number.isFinite(v)) bad(`${where} point ${i}, coordinate ${k}`, `expected a finite number, got ${formatValue(v)}`);
      x[i * d + k] = v;
    });
  });
  if (labels.length !== n) bad(where, `expected ${n} labels (one per point), got ${labels.length}`);
  const y = new Float64Array(n);
  labels.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0) bad(`${where} label ${i}`, `expected an integer class ≥ 0 (0/1 for binary), got ${formatValue(v)}`);
    y[i] = v;
  });
  return { x, y };
}

/** Options of `parseCsv`. */
export interface CsvOptions {
  /** Column holding the label: index (negative counts from the end) or header name [-1: last]. */
  label?: number | string;
  /** Field separator [auto: `,`, `;` or tab, whichever the first line has]. */
  separator?: string;
}

/**
 * Read a CSV of points with one label column (default the last). A first line with a non-numeric
 * field is a header. Empty lines and lines starting with `#` are ignored.
 */
export function parseCsv(text: string, options: CsvOptions = {}): Dataset<Float64Array> {
  if (typeof text !== 'string') throw new CoreError('E_ARG', `csv: expected the file's text, got ${formatValue(text)}`);
  const lines = text.split(/\r?\n/).map((l, i) => ({ l: l.trim(), no: i + 1 })).filter(({ l }) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) bad('csv', 'the file has no data lines');
  const sep = options.separator ?? ([',', ';', '\t'].find((s) => lines[0]!.l.includes(s)) ?? ',');
  let header: string[] | null = null;
  const first = lines[0]!.l.split(sep).map((s) => s.trim());
  if (first.some((f) => f === '' || !Number.isFinite(Number(f)))) {
    header = first.map((f) => f.replace(/^"(.*)"$/, '$1'));
    lines.shift();
  }
  const width = header?.length ?? first.length;
  if (width < 2) bad('csv', `expected at least 2 columns (coordinates and a label), got ${width}`);
  let col: number;
  const lab = options.label ?? -1;
  if (typeof lab === 'string') {
    if (header === null) bad('csv', `label column ${JSON.stringify(lab)} given by name but the file has no header line`);
    col = header.indexOf(lab);
    if (col < 0) bad('csv', `no column named ${JSON.stringify(lab)}; columns: ${header.join(', ')}`);
  } else {
    if (!Number.isInteger(lab) || lab < -width || lab >= width) throw new CoreError('E_ARG', `csv label column: expected an integer in [${-width}, ${width - 1}], got ${formatValue(lab)}`);
    col = lab < 0 ? width + lab : lab;
  }
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const { l, no } of lines) {
    const f = l.split(sep);
    if (f.length !== width) bad(`csv line ${no}`, `expected ${width} fields, got ${f.length}`);
    const v = f.map((s) => (s.trim() === '' ? NaN : Number(s)));
    v.forEach((x, k) => {
      if (!Number.isFinite(x)) bad(`csv line ${no}, column ${k + 1}`, `expected a finite number, got ${JSON.stringify(f[k]!.trim())}`);
    });
    labels.push(v[col]!);
    v.splice(col, 1);
    rows.push(v);
  }
  return finishData('csv', rows, labels);
}

/** An n-dimensional array read from NPY. */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

/** Read a NumPy `.npy` file (format 1.0–3.0; little-endian f8, f4, i8, i4, i2, i1, u1, u2, u4, bool; C order). */
export function parseNpy(bytes: Uint8Array | ArrayBuffer): NpyArray {
  const b = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : null;
  if (b === null) throw new CoreError('E_ARG', `npy: expected the file's bytes, got ${formatValue(bytes)}`);
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (b.length < 10 || magic.some((m, i) => b[i] !== m)) bad('npy', 'not a NumPy .npy file (bad magic)');
  const major = b[6]!;
  if (major < 1 || major > 3) bad('npy', `format version ${major} is not supported (1, 2 or 3)`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : b.length >= 12 ? dv.getUint32(8, true) : Infinity;
  const hstart = major === 1 ? 10 : 12;
  if (hstart + hlen > b.length) bad('npy', 'header runs past the end of the file');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(b.subarray(hstart, hstart + hlen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) bad('npy', `header is not a NumPy header dictionary: ${JSON.stringify(header.slice(0, 80))}`);
  if (fortran === 'True') bad('npy', 'Fortran-ordered arrays are not supported (save with np.ascontiguousarray)');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((s) => !Number.isSafeInteger(s) || s < 0)) bad('npy', `invalid shape (${shapeText})`);
  const types: Record<string, [number, (o: number) => number]> = {
    '<f8': [8, (o) => dv.getFloat64(o, true)],
    '<f4': [4, (o) => dv.getFloat32(o, true)],
    '<i8': [8, (o) => Number(dv.getBigInt64(o, true))],
    '<i4': [4, (o) => dv.getInt32(o, true)],
    '<i2': [2, (o) => dv.getInt16(o, true)],
    '|i1': [1, (o) => dv.getInt8(o)],
    '|u1': [1, (o) => dv.getUint8(o)],
    '<u2': [2, (o) => dv.getUint16(o, true)],
    '<u4': [4, (o) => dv.getUint32(o, true)],
    '|b1': [1, (o) => dv.getUint8(o)],
  };
  const t = types[descr];
  if (t === undefined) bad('npy', `dtype '${descr}' is not supported; supported: ${Object.keys(types).join(', ')}`);
  const n = shape.reduce((a, s) => a * s, 1);
  if (n > LIMITS.maxDataValues) throw new CoreError('E_RANGE', `npy: ${n} values exceed the limit of ${LIMITS.maxDataValues}`);
  const start = hstart + hlen;
  if (b.length - start !== n * t[0]) bad('npy', `expected ${n * t[0]} bytes of data for shape (${shape.join(', ')}) and dtype '${descr}', got ${b.length - start}`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = t[1](start + i * t[0]);
  return { shape, data };
}

/** Points from an NPY array of shape (n, …) (flattened per point) and labels from one of shape (n,) or (n, 1). */
export function dataFromNpy(points: NpyArray, labels: NpyArray): Dataset<Float64Array> {
  if (points.shape.length < 1) bad('npy points', 'expected an array of shape (n, …), got a scalar');
  const n = points.shape[0]!;
  const d = points.shape.slice(1).reduce((a, s) => a * s, 1);
  if (labels.shape.length === 2 ? labels.shape[1] !== 1 : labels.shape.length !== 1) {
    bad('npy labels', `expected shape (${n},), got (${labels.shape.join(', ')})`);
  }
  const rows = Array.from({ length: n }, (_, i) => Array.from(points.data.subarray(i * d, (i + 1) * d)));
  return finishData('npy', rows, Array.from(labels.data));
}

/**
 * Read the JSON data format `{ "format": "paradox-data/1", "x": [[…], …], "y": [0, 1, …],
 * "box"?: [lo, hi] }` (the `format` field may be omitted). `box`, when present, is returned too.
 */
export function parseDataJson(doc: unknown): { data: Dataset<Float64Array>; box?: [number, number] } {
  let v = doc;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      bad('data', `not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('data', `expected an object {x, y}, got ${formatValue(v)}`);
  const o = v as Record<string, unknown>;
  if (o.format !== undefined && o.format !== DATA_FORMAT) bad('data.format', `expected ${JSON.stringify(DATA_FORMAT)}, got ${formatValue(o.format)}`);
  if (!Array.isArray(o.x)) bad('data.x', `expected an array of points (arrays of numbers), got ${formatValue(o.x)}`);
  if (!Array.isArray(o.y)) bad('data.y', `expected an array of labels, got ${formatValue(o.y)}`);
  const rows = o.x.map((p: unknown, i) => {
    if (!Array.isArray(p)) bad(`data.x[${i}]`, `expected an array of numbers, got ${formatValue(p)}`);
    return p.map((c: unknown, k) => (typeof c === 'number' ? c : bad(`data.x[${i}][${k}]`, `expected a number, got ${formatValue(c)}`)));
  });
  const labels = o.y.map((c: unknown, i) => (typeof c === 'number' ? c : bad(`data.y[${i}]`, `expected a number, got ${formatValue(c)}`)));
  const data = finishData('data', rows, labels);
  if (o.box === undefined) return { data };
  const bx = o.box;
  if (!Array.isArray(bx) || bx.length !== 2 || typeof bx[0] !== 'number' || typeof bx[1] !== 'number' || !(bx[0] < bx[1])) {
    bad('data.box', `expected [lo, hi] with lo < hi, got ${formatValue(bx)}`);
  }
  return { data, box: [bx[0], bx[1]] };
}

/**
 * A data set from a file's bytes, the format chosen by the name's extension: `.npy` (points; the
 * labels are a second NPY file, `labels`), `.csv`/`.txt` (label in the last column), `.json`
 * (`parseDataJson`, whose `box` is returned too). The one owner of "which reader does this data
 * file need", used by `paradox analyse` and by `analyse` sweeps.
 */
export function dataFromBytes(bytes: Uint8Array, name: string, labels?: Uint8Array): { data: Dataset<Float64Array>; box?: [number, number] } {
  const dot = name.lastIndexOf('.');
  const ext = dot > name.lastIndexOf('/') && dot >= 0 ? name.slice(dot).toLowerCase() : '';
  if (ext === '.npy') {
    if (labels === undefined) throw new CoreError('E_ARG', 'an .npy data file needs its labels as a second .npy file');
    return { data: dataFromNpy(parseNpy(bytes), parseNpy(labels)) };
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  if (ext === '.csv' || ext === '.txt') return { data: parseCsv(text) };
  if (ext === '.json') return parseDataJson(text);
  throw new CoreError('E_ARG', `unknown data format '${ext || '(none)'}'; expected .csv, .json or .npy`);
}

/** A box of dimension d from a scalar range or per-coordinate bounds; checks that every point lies inside. */
export function makeBox(d: number, lo: number | ArrayLike<number>, hi: number | ArrayLike<number>, data?: Dataset): InputBox {
  const expand = (v: number | ArrayLike<number>, what: string): Float64Array => {
    if (typeof v === 'number') return new Float64Array(d).fill(v);
    if (v.length !== d) throw new CoreError('E_SHAPE', `box.${what}: expected ${d} bounds (one per input), got ${v.length}`);
    return Float64Array.from(v);
  };
  const L = expand(lo, 'lo');
  const H = expand(hi, 'hi');
  for (let k = 0; k < d; k++) {
    if (!(L[k]! < H[k]!) || !Number.isFinite(L[k]!) || !Number.isFinite(H[k]!)) {
      throw new CoreError('E_ARG', `box[${k}]: expected finite lo < hi, got [${L[k]}, ${H[k]}]`);
    }
  }
  if (data !== undefined) {
    const { n } = dataShape(data);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        const v = data.x[i * d + k]!;
        if (v < L[k]! || v > H[k]!) throw new CoreError('E_ARG', `point ${i}, coordinate ${k}: ${v} lies outside the input box [${L[k]}, ${H[k]}]`);
      }
    }
  }
  return { lo: L, hi: H };
}

/**
 * The criterion's score of outputs `phi` (N_L values) for label y: positive iff correct.
 * binary: 1/2 − |φ − y|; multi-class: the margin φ_y − max_{j≠y} φ_j.
 */
export function criterionScore(criterion: Criterion, phi: ArrayLike<number>, y: number): number {
  if (criterion === 'binary') return 0.5 - Math.abs(phi[0]! - y);
  let best = -Infinity;
  for (let j = 0; j < phi.length; j++) if (j !== y && phi[j]! > best) best = phi[j]!;
  return phi[y]! - best;
}

/** Check that labels fit the criterion and the network's output count; returns the criterion to use. */
export function checkCriterion(criterion: Criterion | undefined, outputs: number, data: Dataset): Criterion {
  const c = criterion ?? (outputs === 1 ? 'binary' : 'multiclass');
  if (c !== 'binary' && c !== 'multiclass') throw new CoreError('E_ARG', `criterion: expected binary or multiclass, got ${formatValue(criterion)}`);
  if (c === 'binary' && outputs !== 1) throw new CoreError('E_SHAPE', `criterion binary needs a network with one output, got ${outputs}`);
  if (c === 'multiclass' && outputs < 2) throw new CoreError('E_SHAPE', 'criterion multiclass needs a network with at least 2 outputs (one score per class), got 1');
  const K = c === 'binary' ? 2 : outputs;
  for (let i = 0; i < data.y.length; i++) {
    const y = data.y[i]!;
    if (y >= K) throw new CoreError('E_ARG', `label of point ${i}: ${y} is not a class of this network (${c === 'binary' ? '0 or 1' : `0 … ${K - 1}`})`);
  }
  return c;
}
