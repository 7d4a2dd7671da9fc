/**
 * The dichotomy diagnostic (docs/theory.md, Lemma C) on any network and data set.
 *
 * Along a segment [p, q], take the data points within distance `tube` of it and their orthogonal
 * projections (images) onto it, sorted along the segment. If their labels alternate `a` times and
 * the criterion function g restricted to the segment has at most P linear pieces, then at least
 * ⌈(a − P)/2⌉ images are on the wrong side (Lemma C). Each such image is a witness: either φ is
 * wrong at the data point itself, or φ is right there and wrong at the image, a perturbation of
 * norm ≤ tube (unstable, relative to the data label). g is φ − 1/2 for the binary criterion and
 * φ_a − φ_b for two classes a, b of a multi-class network (only points labelled a or b count).
 *
 * The architecture bound P(N) gives the count that *every* network of the architecture must pay;
 * the exact piece count of this φ along the segment gives a sharper count for this network.
 * For each hidden layer, the diagnostic reports the smallest width at which P(N) ≥ a, i.e. at
 * which the architecture bound stops forcing anything on this segment.
 */
import type { Core } from '../core.js';
import { CoreError, formatValue } from '../errors.js';
import { forward, type Dataset } from '../mlp.js';
import { pieceBound, validateNetwork, type Network } from '../network.js';
import { countPieces } from '../pieces.js';
import { dataShape } from '../io/data.js';

/** Options of `dichotomy`. */
export interface DichotomyOptions {
  /** Segment start and end (N_0 values each). */
  p: ArrayLike<number>;
  q: ArrayLike<number>;
  /** Data points within this Euclidean distance of the segment count (their images are used). */
  tube: number;
  /** Multi-class networks: the two classes [a, b] whose margin φ_a − φ_b is examined. */
  classes?: [number, number];
}

/** A witness of Lemma C: an image on the wrong side. */
export interface DichotomyWitness {
  /** Index of the data point. */
  index: number;
  label: number;
  /** Position of the image along the segment, t ∈ [0, 1]. */
  t: number;
  /** Distance from the data point to its image (the perturbation's ℓ2 norm). */
  distance: number;
  /** `inaccurate`: φ is wrong at the data point; `unstable`: right there, wrong at the image. */
  kind: 'inaccurate' | 'unstable';
}

/** Result of `dichotomy`. */
export interface DichotomyResult {
  /** Points in the tube (of the examined classes). */
  points: number;
  /** Label alternations along the segment. */
  alternations: number;
  /** P(N) of the architecture. */
  pieceBound: number;
  /** Linear pieces of g along the segment (exact for one output; activation intervals otherwise). */
  pieces: number;
  /** ⌈(a − P(N))/2⌉, at least 0: forced for every network of this architecture. */
  forcedArchitecture: number;
  /** ⌈(a − pieces)/2⌉, at least 0: forced for this network. */
  forcedExact: number;
  /** Images on the wrong side (each a witness); always ≥ forcedExact (Lemma C). */
  witnesses: DichotomyWitness[];
  /**
   * For each hidden layer l = 1 … L−1, the smallest width N_l (others fixed) with P(N) ≥ a, at
   * which the architecture bound stops forcing anything on this segment (≤ the current width when
   * it already does not force).
   */
  widthToStopForcing: number[];
  /** Smallest common hidden width W with (W + 1)^(L−1) ≥ a. */
  uniformWidthToStopForcing: number;
}

function sideOk(g: number, positive: boolean): boolean {
  return positive ? g > 0 : g < 0;
}

/** Run the diagnostic on one segment. Throws `E_THEOREM` if Lemma C fails (a bug). */
export function dichotomy(core: Core, net: Network, data: Dataset<Float64Array>, options: DichotomyOptions): DichotomyResult {
  validateNetwork(net);
  const d = net.dims[0]!;
  const K = net.dims[net.dims.length - 1]!;
  const shape = dataShape(data);
  if (shape.d !== d) throw new CoreError('E_SHAPE', `data: points have ${shape.d} coordinates, the network has ${d} inputs`);
  const { p, q, tube } = options;
  if (p?.length !== d || q?.length !== d) throw new CoreError('E_SHAPE', `p, q: expected ${d} coordinates each`);
  if (!(tube >= 0 && Number.isFinite(tube))) throw new CoreError('E_ARG', `tube: expected a distance ≥ 0, got ${formatValue(tube)}`);
  let cls: [number, number] | null = null;
  if (K > 1) {
    cls = options.classes ?? null;
    if (cls === null || cls.length !== 2 || cls[0] === cls[1] || !cls.every((c) => Number.isInteger(c) && c >= 0 && c < K)) {
      throw new CoreError('E_ARG', `classes: a network with ${K} outputs needs two distinct classes [a, b] in 0 … ${K - 1}, got ${formatValue(options.classes)}`);
    }
  }
  const dir = Float64Array.from({ length: d }, (_, k) => q[k]! - p[k]!);
  const len2 = dir.reduce((s, v) => s + v * v, 0);
  if (!(len2 > 0)) throw new CoreError('E_ARG', 'p, q: the segment has length 0');

  // Points in the tube, their images and positions.
  const sel: { index: number; label: number; t: number; distance: number; positive: boolean }[] = [];
  const images: number[] = [];
  for (let i = 0; i < shape.n; i++) {
    const y = data.y[i]!;
    if (cls !== null && y !== cls[0] && y !== cls[1]) continue;
    let dot = 0;
    for (let k = 0; k < d; k++) dot += (data.x[i * d + k]! - p[k]!) * dir[k]!;
    const t = dot / len2;
    if (t < 0 || t > 1) continue;
    let dist2 = 0;
    const img = new Array<number>(d);
    for (let k = 0; k < d; k++) {
      img[k] = p[k]! + t * dir[k]!;
      dist2 += (data.x[i * d + k]! - img[k]!) ** 2;
    }
    const distance = Math.sqrt(dist2);
    if (distance > tube) continue;
    sel.push({ index: i, label: y, t, distance, positive: cls === null ? y >= 0.5 : y === cls[0] });
    images.push(...img);
  }
  const order = sel.map((_, i) => i).sort((a, b) => sel[a]!.t - sel[b]!.t || sel[a]!.index - sel[b]!.index);
  let a = 0;
  for (let i = 1; i < order.length; i++) if (sel[order[i]!]!.positive !== sel[order[i - 1]!]!.positive) a++;

  const P = pieceBound(net.dims);
  const pc = countPieces(core, net, p, q);
  const pieces = K === 1 ? pc.pieces : pc.intervals;
  const forced = (bound: number): number => Math.max(0, Math.ceil((a - bound) / 2));

  // g at the images and at the data points.
  const witnesses: DichotomyWitness[] = [];
  if (sel.length > 0) {
    const gOf = (out: Float64Array, b: number): number => (cls === null ? out[b]! - 0.5 : out[b * K + cls[0]]! - out[b * K + cls[1]]!);
    const atImages = forward(core, net, images);
    const X = new Float64Array(sel.length * d);
    sel.forEach((s, b) => X.set(data.x.subarray(s.index * d, (s.index + 1) * d), b * d));
    const atData = forward(core, net, X);
    for (const b of order) {
      const s = sel[b]!;
      if (!sideOk(gOf(atImages, b), s.positive)) {
        witnesses.push({ index: s.index, label: s.label, t: s.t, distance: s.distance, kind: sideOk(gOf(atData, b), s.positive) ? 'unstable' : 'inaccurate' });
      }
    }
  }
  const forcedExact = forced(pieces);
  if (witnesses.length < forcedExact) {
    throw new CoreError('E_THEOREM', `Lemma C failed: ${a} alternations and ${pieces} pieces force ${forcedExact} wrong images, found ${witnesses.length}; this is a bug, please report it`);
  }

  const hidden = net.dims.slice(1, -1);
  const widthToStopForcing = hidden.map((_, l) => {
    const others = hidden.reduce((prod, w, j) => (j === l ? prod : prod * (w + 1)), 1);
    return Math.max(1, Math.ceil(a / others) - 1);
  });
  let W = 1;
  while (hidden.length > 0 && (W + 1) ** hidden.length < a) W++;
  return {
    points: sel.length,
    alternations: a,
    pieceBound: P,
    pieces,
    forcedArchitecture: forced(P),
    forcedExact,
    witnesses,
    widthToStopForcing,
    uniformWidthToStopForcing: hidden.length > 0 ? W : 0,
  };
}

/**
 * Candidate segments through pairs of differently labelled points, best first: for `candidates`
 * pairs chosen deterministically (each point with the farthest differently labelled point, in
 * index order), the segment through the pair extended by `extend` of its length at both ends,
 * ranked by the label alternations of the data within `tube`. Returns [p, q] pairs.
 */
export function candidateSegments(data: Dataset<Float64Array>, tube: number, candidates = 32, extend = 0.05): { p: Float64Array; q: Float64Array; alternations: number }[] {
  const { n, d } = dataShape(data);
  const pt = (i: number): Float64Array => data.x.subarray(i * d, (i + 1) * d);
  const out: { p: Float64Array; q: Float64Array; alternations: number }[] = [];
  const step = Math.max(1, Math.floor(n / candidates));
  for (let i = 0; i < n && out.length < candidates; i += step) {
    let best = -1;
    let bestD = -1;
    for (let j = 0; j < n; j++) {
      if (data.y[j] === data.y[i]) continue;
      let s = 0;
      for (let k = 0; k < d; k++) s += (pt(i)[k]! - pt(j)[k]!) ** 2;
      if (s > bestD) {
        bestD = s;
        best = j;
      }
    }
    if (best < 0) continue;
    const a = pt(i);
    const b = pt(best);
    const p = Float64Array.from(a, (v, k) => v - extend * (b[k]! - v));
    const q = Float64Array.from(b, (v, k) => v + extend * (v - a[k]!));
    // Alternations without a network: labels of tube points sorted along the segment.
    const dir = Float64Array.from(p, (v, k) => q[k]! - v);
    const len2 = dir.reduce((s, v) => s + v * v, 0);
    const inTube: { t: number; y: number }[] = [];
    for (let m = 0; m < n; m++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += (data.x[m * d + k]! - p[k]!) * dir[k]!;
      const t = dot / len2;
      if (t < 0 || t > 1) continue;
      let dist2 = 0;
      for (let k = 0; k < d; k++) dist2 += (data.x[m * d + k]! - p[k]! - t * dir[k]!) ** 2;
      if (Math.sqrt(dist2) <= tube) inTube.push({ t, y: data.y[m]! });
    }
    inTube.sort((u, v) => u.t - v.t);
    let alt = 0;
    for (let k = 1; k < inTube.length; k++) if (inTube[k]!.y !== inTube[k - 1]!.y) alt++;
    out.push({ p, q, alternations: alt });
  }
  return out.sort((u, v) => v.alternations - u.alternations);
}
