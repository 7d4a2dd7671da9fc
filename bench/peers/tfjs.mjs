// TensorFlow.js peer: the code a tfjs user writes with tfjs-core (variables, an SGD optimiser and
// `minimize`), on the `cpu` backend or the `wasm` backend with one thread. tfjs computes in f32
// only, so its figures are labelled f32; the inputs are the same f64 values rounded once.

import * as tf from '@tensorflow/tfjs-core';
// The umbrella package registers the gradient functions (tfjs-core alone has none), as in a user's app.
import '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The tfjs-core version in use. */
export const tfVersion = tf.version_core;

let wasmConfigured = false;
// Production mode: skips tfjs's debug-time checks (and its console banner), as a deployed app would.
tf.enableProdMode();

/**
 * Switch tfjs to `backend` ('cpu' | 'wasm'). The wasm backend's .wasm files ship inside its npm
 * package; they are loaded from node_modules by file path (no network), with one thread.
 */
export async function useBackend(backend) {
  if (backend === 'wasm' && !wasmConfigured) {
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    setWasmPaths(dist);
    setThreadsCount(1);
    wasmConfigured = true;
  }
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend) throw new Error(`tfjs backend ${backend} could not be initialised`);
  await tf.ready();
  return { backend, simd: backend === 'wasm' ? Boolean(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')) : undefined };
}

/** A variable holding `t`'s values; `t` itself is released (a variable keeps its own reference). */
function toVariable(t) {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

/** Build the MLP's variables from the contract's flat parameter layout. */
function mlpVariables(dims, flat) {
  const vars = [];
  let o = 0;
  for (let l = 1; l < dims.length; l++) {
    const rows = dims[l];
    const cols = dims[l - 1];
    const w = toVariable(tf.tensor2d(Float32Array.from(flat.subarray(o, o + rows * cols)), [rows, cols], 'float32'));
    o += rows * cols;
    const b = toVariable(tf.tensor1d(Float32Array.from(flat.subarray(o, o + rows)), 'float32'));
    o += rows;
    vars.push({ w, b });
  }
  return vars;
}

function forward(vars, x) {
  let h = x;
  for (let l = 0; l < vars.length; l++) {
    const z = tf.add(tf.matMul(h, vars[l].w, false, true), vars[l].b);
    h = l < vars.length - 1 ? tf.relu(z) : z;
  }
  return h;
}

/**
 * Full-batch GD for `w.steps` steps from the workload's initial parameters; returns the final
 * mean squared error (for the cross-check that every implementation did the same work).
 */
export function trainMlp(w) {
  const x = tf.tensor2d(Float32Array.from(w.x), [w.points, w.dims[0]], 'float32');
  const y = tf.tensor2d(Float32Array.from(w.y), [w.points, w.dims.at(-1)], 'float32');
  const vars = mlpVariables(w.dims, w.params);
  const opt = tf.train.sgd(w.lr);
  const loss = () => tf.mean(tf.squaredDifference(forward(vars, x), y));
  for (let s = 0; s < w.steps; s++) opt.minimize(loss, false);
  const final = tf.tidy(() => loss().dataSync()[0]);
  opt.dispose();
  for (const v of vars) {
    v.w.dispose();
    v.b.dispose();
  }
  x.dispose();
  y.dispose();
  return final;
}

/** Compute C = A·B in f32 `inner` times (the caller times the loop). */
export function gemmLoop(w, inner) {
  const a = tf.tensor2d(Float32Array.from(w.a), [w.m, w.k], 'float32');
  const b = tf.tensor2d(Float32Array.from(w.b), [w.k, w.n], 'float32');
  for (let i = 0; i < inner; i++) {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }
  a.dispose();
  b.dispose();
}

/** Number of live tensors (a leak check for the suites). */
export function liveTensors() {
  return tf.memory().numTensors;
}

/**
 * One member of a noncomputability pair: proximal GD (tf.variableGrads for the smooth part, a
 * soft-threshold for the ℓ1 penalty). Returns the final cost and φ(e_k) for every k.
 */
function proxGd(w, member) {
  const { d, width: W } = w;
  const x = tf.tensor2d(Float32Array.from(member.x), [member.y.length, d]);
  const y = tf.tensor1d(Float32Array.from(member.y));
  const wv = toVariable(tf.tensor2d(Float32Array.from(w.w0), [W, d]));
  const vv = toVariable(tf.tensor1d(Float32Array.from(w.v0)));
  const t = w.lr * w.lambda;
  const mse = () => tf.mean(tf.square(tf.sub(tf.squeeze(tf.matMul(tf.relu(tf.matMul(x, wv, false, true)), tf.reshape(vv, [W, 1])), [1]), y)));
  for (let s = 0; s < w.steps; s++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(mse, [wv, vv]);
      for (const p of [wv, vv]) {
        const z = tf.sub(p, tf.mul(grads[p.name], w.lr));
        p.assign(tf.mul(tf.sign(z), tf.relu(tf.sub(tf.abs(z), t))));
      }
    });
  }
  const res = tf.tidy(() => ({
    cost: tf.add(mse(), tf.mul(tf.add(tf.sum(tf.abs(vv)), tf.sum(tf.abs(wv))), w.lambda)).dataSync()[0],
    probes: Array.from(tf.matMul(tf.reshape(vv, [1, W]), tf.relu(wv)).dataSync()),
  }));
  for (const tns of [x, y, wv, vv]) tns.dispose();
  return res;
}

/** One noncomputability trial's optimisation (both members of the pair). */
export function noncomputabilityTrial(w) {
  return [proxGd(w, w.plus), proxGd(w, w.minus)];
}

/**
 * The peer part of one instability trial: full-batch Adam on T, then ℓ∞ PGD (sign steps of size
 * 2.5ρ/steps from the given random starts, projected on the ball) on every point of T ∪ V at
 * every radius, batched over the points. Returns the final loss and the robust counts.
 */
export function instabilityTrial(w) {
  const d = w.dims[0];
  const xt = tf.tensor2d(Float32Array.from(w.xT), [w.yT.length, d]);
  const yt = tf.tensor2d(Float32Array.from(w.yT), [w.yT.length, 1]);
  const xa = tf.tensor2d(Float32Array.from(w.xAll), [w.yAll.length, d]);
  const ya = tf.tensor1d(Float32Array.from(w.yAll));
  const vars = mlpVariables(w.dims, w.params);
  const opt = tf.train.adam(w.lr, w.beta1, w.beta2, w.eps);
  const loss = () => tf.mean(tf.squaredDifference(forward(vars, xt), yt));
  for (let e = 0; e < w.epochs; e++) opt.minimize(loss, false);
  const correct = tf.tidy(() => tf.less(tf.abs(tf.sub(tf.squeeze(forward(vars, xa), [1]), ya)), 0.5));
  const sgn = tf.tidy(() => tf.sub(1, tf.mul(2, ya)));
  const objective = (eta) => tf.sum(tf.mul(tf.squeeze(forward(vars, tf.add(xa, eta)), [1]), sgn));
  const gradOf = tf.grad(objective);
  const n = w.yAll.length;
  const robust = [];
  w.radii.forEach((rho, q) => {
    let eta = tf.mul(tf.tensor2d(Float32Array.from(w.starts.subarray(q * n * d, (q + 1) * n * d)), [n, d]), rho);
    const alpha = (2.5 * rho) / w.pgdSteps;
    for (let s = 0; s < w.pgdSteps; s++) {
      const next = tf.tidy(() => tf.clipByValue(tf.add(eta, tf.mul(tf.sign(gradOf(eta)), alpha)), -rho, rho));
      eta.dispose();
      eta = next;
    }
    robust.push(tf.tidy(() => tf.sum(tf.logicalAnd(correct, tf.less(tf.abs(tf.sub(tf.squeeze(forward(vars, tf.add(xa, eta)), [1]), ya)), 0.5))).dataSync()[0]));
    eta.dispose();
  });
  const finalLoss = tf.tidy(() => loss().dataSync()[0]);
  const nCorrect = tf.tidy(() => tf.sum(tf.cast(correct, 'int32')).dataSync()[0]);
  opt.dispose();
  for (const v of vars) {
    v.w.dispose();
    v.b.dispose();
  }
  for (const t of [xt, yt, xa, ya, correct, sgn]) t.dispose();
  return { finalLoss, correct: nCorrect, robust };
}
