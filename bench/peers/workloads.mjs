// The benchmark workloads, defined once and handed to every implementation (core-wasm, the TS
// reference, TensorFlow.js, and the Python peers over JSON), so that all of them run the same
// network, the same data, the same initial parameters and the same number of steps.
//
// Data and initial parameters come from a small seeded generator here in JS and are passed to
// the peers as plain numbers: JSON carries an f64 exactly (shortest round-trip repr), so the
// Python side receives bit-identical inputs. f32 peers round the same values once on load.

/** mulberry32: a tiny 32-bit generator; good enough for benchmark data, and easy to audit. */
export function rng32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Number of parameters of an MLP with biases, in the contract's flat layout. */
export function paramCount(dims) {
  let n = 0;
  for (let l = 1; l < dims.length; l++) n += dims[l] * dims[l - 1] + dims[l];
  return n;
}

/**
 * He-uniform initial parameters in the architecture contract's layout (W_l row-major
 * [N_l][N_{l-1}], then b_l), biases drawn small and non-zero so their gradients matter.
 */
export function initParams(dims, seed) {
  const u = rng32(seed);
  const out = new Float64Array(paramCount(dims));
  let o = 0;
  for (let l = 1; l < dims.length; l++) {
    const fanIn = dims[l - 1];
    const lim = Math.sqrt(6 / fanIn);
    for (let i = 0; i < dims[l] * fanIn; i++) out[o++] = (2 * u() - 1) * lim;
    for (let i = 0; i < dims[l]; i++) out[o++] = (2 * u() - 1) * 0.1;
  }
  return out;
}

/** Regression data: x uniform in [-1, 1]^d, y = sin(2x₁)·cos(3x₂)/2 (a smooth, learnable target). */
export function regressionData(n, d, seed) {
  const u = rng32(seed);
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = 2 * u() - 1;
    y[i] = 0.5 * Math.sin(2 * x[i * d]) * Math.cos(3 * x[i * d + 1]);
  }
  return { x, y };
}

/** A dense matrix with entries uniform in [-1, 1). */
export function matrix(rows, cols, seed) {
  const u = rng32(seed);
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = 2 * u() - 1;
  return a;
}

/**
 * The MLP-training workload W1 or W2: full-batch gradient descent on the mean squared error
 * (1/B)Σ(φ(x)−y)², learning rate `lr`, `steps` steps from the given initial parameters.
 * Flops per step ≈ 6·B·Σ_l N_{l-1}·N_l (forward 2·B·n_in·n_out per layer, backward twice that).
 */
export function mlpWorkload(id, dims, points, steps, lr, seed = 9) {
  const { x, y } = regressionData(points, dims[0], seed);
  const params = initParams(dims, seed + 1);
  let macs = 0;
  for (let l = 1; l < dims.length; l++) macs += dims[l - 1] * dims[l];
  return { id, kind: 'mlp-train', dims, points, steps, lr, x, y, params, flopsPerStep: 6 * points * macs };
}

/** W1: tiny training. */
export const W1 = (steps = 2000) => mlpWorkload('W1', [2, 32, 32, 1], 256, steps, 0.05);
/** W2: wide training. */
export const W2 = (steps = 200) => mlpWorkload('W2', [2, 256, 256, 1], 256, steps, 0.01);

/** W5: one GEMM, C = A·B with A m×k, B k×n; flops = 2mkn. */
export function W5(m = 256, k = 256, n = 256) {
  return { id: 'W5', kind: 'gemm', m, k, n, a: matrix(m, k, 51), b: matrix(k, n, 52), flops: 2 * m * k * n };
}

/** Plain JSON form of a workload for a Python peer (typed arrays become arrays of numbers). */
export function toJson(w) {
  return JSON.stringify(w, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));
}

/** Standard normal by Box–Muller from `u` (a uniform generator). */
function normal(u) {
  const r = Math.sqrt(-2 * Math.log(1 - u()));
  return r * Math.cos(2 * Math.PI * u());
}

/**
 * W4 for the peers: the optimisation of one noncomputability trial (SPEC §3.1, algorithm `gd`):
 * proximal full-batch gradient descent on C(θ) = (1/r)Σ(φ_θ(x^j) − y^j)² + λ(Σ|v_i| + Σ‖w_i‖₁),
 * φ_θ(z) = Σ_i v_i ρ(w_i·z), `steps` steps of θ ← S_{lr·λ}(θ − lr·∇MSE), once for each member
 * (ι⁺, ι⁻) of the hard pair — the paired trial of the core. `data` is the pair as read by the
 * algorithm ({ plus: {x, y}, minus: {x, y} }, x row-major r×d); the initial θ is He-normal from
 * `seed` and shared by both signs, as the paired design shares one random stream.
 */
export function noncomputabilityWorkload({ d, width, samples, lambda, lr, steps, data, seed = 4 }) {
  const u = rng32(seed);
  const w = new Float64Array(width * d);
  const v = new Float64Array(width);
  for (let i = 0; i < w.length; i++) w[i] = normal(u) * Math.sqrt(2 / d);
  for (let i = 0; i < v.length; i++) v[i] = normal(u) * Math.sqrt(2 / width);
  return {
    id: 'W4', kind: 'noncomputability', d, width, samples, lambda, lr, steps,
    plus: data.plus, minus: data.minus, w0: w, v0: v,
  };
}
