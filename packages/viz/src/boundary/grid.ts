/**
 * Sampling the (x_1, x_2) plane of a stripes problem and colouring a classifier's output on it.
 * Pure TypeScript with no Node imports, so the browser explorer uses the same code as the report.
 */
import { CLASS_COLOURS } from '../charts/style.js';

/** A rectangle of the (x_1, x_2) plane. */
export interface PlaneExtent {
  x1: [min: number, max: number];
  x2: [min: number, max: number];
}

/** A raster grid on the plane: `nx × ny` pixel centres. */
export interface PlaneGrid {
  extent: PlaneExtent;
  nx: number;
  ny: number;
}

/**
 * The default window for a stripes problem with gap μ: all of x_1 ∈ [0, 1] and a band of x_2
 * around the mid-line 1/2 tall enough to show both classes (at 1/2 ± μ) and the attacks between
 * them; the full unit square would squash the data onto a line.
 */
export function stripesExtent(mu: number, margin = 4): PlaneExtent {
  if (!(Number.isFinite(mu) && mu > 0 && mu < 0.5)) throw new RangeError(`stripesExtent: mu must be in (0, 1/2), got ${String(mu)}`);
  const h = Math.min(0.5, margin * mu);
  return { x1: [0, 1], x2: [0.5 - h, 0.5 + h] };
}

function checkGrid(grid: PlaneGrid): void {
  const { nx, ny, extent } = grid;
  if (!(Number.isInteger(nx) && nx >= 2 && nx <= 4096 && Number.isInteger(ny) && ny >= 2 && ny <= 4096)) {
    throw new RangeError(`grid: nx and ny must be integers in [2, 4096], got ${nx} × ${ny}`);
  }
  for (const axis of ['x1', 'x2'] as const) {
    const [a, b] = extent[axis];
    if (!(Number.isFinite(a) && Number.isFinite(b) && a < b)) throw new RangeError(`grid: extent.${axis} must be [min, max] with min < max, got [${a}, ${b}]`);
  }
}

/**
 * Input points at the pixel centres, row-major from the top row (largest x_2) so that row `j`,
 * column `i` is pixel `(i, j)` of the image; flat `[nx·ny][d]`, coordinates 3…d at 1/2 like the
 * data of the stripes problem.
 */
export function gridInputs(grid: PlaneGrid, d = 2): Float64Array {
  checkGrid(grid);
  if (!(Number.isInteger(d) && d >= 2)) throw new RangeError(`gridInputs: d must be an integer ≥ 2, got ${String(d)}`);
  const { nx, ny, extent } = grid;
  const out = new Float64Array(nx * ny * d).fill(0.5);
  const [a1, b1] = extent.x1;
  const [a2, b2] = extent.x2;
  for (let j = 0; j < ny; j++) {
    const x2 = b2 - ((j + 0.5) / ny) * (b2 - a2);
    for (let i = 0; i < nx; i++) {
      const o = (j * nx + i) * d;
      out[o] = a1 + ((i + 0.5) / nx) * (b1 - a1);
      out[o + 1] = x2;
    }
  }
  return out;
}

/** The true classifier f(x) = ⌊m·x_1⌋ mod 2 of the stripes problem (stripe m − 1 at x_1 = 1). */
export function stripesLabel(m: number, x1: number): 0 | 1 {
  const k = Math.min(m - 1, Math.max(0, Math.floor(m * x1)));
  return (k % 2) as 0 | 1;
}

/** f evaluated on a grid (the same layout as `gridInputs`). */
export function stripesOnGrid(grid: PlaneGrid, m: number): Float64Array {
  checkGrid(grid);
  const { nx, ny, extent } = grid;
  const out = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) out[j * nx + i] = stripesLabel(m, extent.x1[0] + ((i + 0.5) / nx) * (extent.x1[1] - extent.x1[0]));
  }
  return out;
}

/**
 * Region colours: class 0 (|φ| < 1/2) and class 1 (|φ − 1| < 1/2) the classes' region tints
 * (light blue and light yellow, `CLASS_COLOURS` of the palette owner), grey where φ is within 1/2 of
 * neither label (φ ≤ −1/2 or φ ≥ 3/2: wrong whatever the true class, by SPEC §1's |φ − f| < 1/2),
 * dark grey edges, magenta for non-finite outputs.
 */
export const REGION_COLOURS = {
  zero: CLASS_COLOURS[0].region,
  one: CLASS_COLOURS[1].region,
  neither: [205, 205, 205],
  edge: [40, 40, 40],
  invalid: [255, 0, 255],
} as const;

/** The region of an output: 0, 1, 2 (neither label) or −1 (not finite). */
export function regionOf(v: number): -1 | 0 | 1 | 2 {
  if (!Number.isFinite(v)) return -1;
  if (v <= -0.5 || v >= 1.5) return 2;
  return v >= 0.5 ? 1 : 0;
}

/**
 * Colour classifier outputs for display: the region (see `REGION_COLOURS`) as a light tint and
 * the boundaries (where the region changes between neighbouring pixels) in dark grey. A
 * non-finite output is drawn magenta so that a diverged network cannot pass for a classifier.
 */
export function colourRegions(values: ArrayLike<number>, nx: number, ny: number): Uint8ClampedArray<ArrayBuffer> {
  if (values.length !== nx * ny) throw new RangeError(`colourRegions: expected ${nx * ny} values for ${nx} × ${ny}, got ${values.length}`);
  const cls = new Int8Array(nx * ny);
  for (let k = 0; k < cls.length; k++) cls[k] = regionOf(values[k]!);
  const tint = [REGION_COLOURS.zero, REGION_COLOURS.one, REGION_COLOURS.neither] as const;
  const rgba = new Uint8ClampedArray(nx * ny * 4);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i;
      const c = cls[k]!;
      const right = i + 1 < nx ? cls[k + 1]! : c;
      const down = j + 1 < ny ? cls[k + nx]! : c;
      const rgb = c < 0 ? REGION_COLOURS.invalid : right !== c || down !== c ? REGION_COLOURS.edge : tint[c]!;
      rgba[4 * k] = rgb[0];
      rgba[4 * k + 1] = rgb[1];
      rgba[4 * k + 2] = rgb[2];
      rgba[4 * k + 3] = 255;
    }
  }
  return rgba;
}
