// Raw exports of the instability area. The typed wrapper is src/instability/*; option vectors are
// flat f64 arrays whose slots are named in ./slots.ts (ATTACK_OPTIONS_*, ATTACK_PLAN_*), the twin of
// src/instability/layout.ts.

import { Net, paramCount } from "./net";
import { Stripes, labelOf, labelExact, boundaryDistance, samplePoints, safeRadius } from "./stripes";
import { certifiedRadius } from "./certify";
import { outputBounds } from "../certify/radius";
import {
  Attacker, ATK_FGSM, ATK_PGD, ATK_FMN, ATK_BISECT, ATK_LINE, ATK_DEEPFOOL, ATK_RANDOM,
} from "./attacks";
import { writeShortcut, labelChanges, writeStable } from "./construct";
import { Philox } from "../rng/philox";
import { SUBSTREAM_INSTABILITY_ATTACK, SUBSTREAM_INSTABILITY_POINT_BASE } from "../rng/substreams";
import { ERR_ARG } from "../errors";
import {
  ATTACK_OPTIONS_BISECT_ITERS, ATTACK_OPTIONS_EPS, ATTACK_OPTIONS_OVERSHOOT, ATTACK_OPTIONS_QUERIES,
  ATTACK_OPTIONS_RANDOM_START, ATTACK_OPTIONS_RESTARTS, ATTACK_OPTIONS_SCHEDULE,
  ATTACK_OPTIONS_SEED_HI, ATTACK_OPTIONS_SEED_LO, ATTACK_OPTIONS_STEPS, ATTACK_OPTIONS_STREAM_HI,
  ATTACK_OPTIONS_STREAM_LO, ATTACK_OPTIONS_SUBSTREAM, ATTACK_PLAN_BISECT_ITERS,
  ATTACK_PLAN_DF_ITERS, ATTACK_PLAN_FMN_STEPS, ATTACK_PLAN_MASK, ATTACK_PLAN_MU,
  ATTACK_PLAN_QUERIES, ATTACK_PLAN_RANDOM_START, ATTACK_PLAN_RESTARTS, ATTACK_PLAN_SCHEDULE,
  ATTACK_PLAN_STEPS,
} from "./slots";

import { piecesAlongE1 } from "./midline";
import { at } from "./vec";
import { AttackPlan, attackPoints, setBatchedPgd } from "./pointattacks";
import { WitnessCheck, WIT_DROPPED } from "./witness";
export { inst_trial, inst_trials, inst_trial_result_size } from "./trial";
export { inst_measure_network } from "./measurenet";


/** Parameter count of `dims` (nDims values) in the flat layout. */
export function inst_param_count(dims: usize, nDims: i32, bias: i32): i32 {
  return paramCount(dims, nDims, bias != 0);
}

/** f(x) for first coordinate x1 and m stripes. */
export function inst_label(x1: f64, m: i32): i32 {
  return labelOf(x1, m);
}

/** f(x) for first coordinate x1 and m stripes, with ⌊m·x1⌋ decided exactly (not through fl(m·x1)). */
export function inst_label_exact(x1: f64, m: i32): i32 {
  return labelExact(x1, m);
}

/** Distance from x1 to the nearest discontinuity of f. */
export function inst_boundary_distance(x1: f64, m: i32): f64 {
  return boundaryDistance(x1, m);
}

/** Sample n points of the stripes distribution from stream (seed, substream, streamLo, streamHi). */
export function inst_sample(
  d: i32, m: i32, delta: f64, mu: f64, finiteM: i32, n: i32,
  seedLo: u32, seedHi: u32, substream: u32, streamLo: u32, streamHi: u32, X: usize, Y: usize,
): void {
  const s = new Stripes(d, m, delta, mu, finiteM);
  samplePoints(s, new Philox(seedLo, seedHi, substream, streamLo, streamHi), n, X, Y);
}

/** Write the shortcut σ (dims (d, 2, 1), biases) to `out`. */
export function inst_shortcut(d: i32, mu: f64, out: usize): void {
  writeShortcut(d, mu, out);
}

/**
 * Write ψ_T for the r training points at X (r×d) to `out` (room for dims (d, 2(m−1), 1));
 * returns the hidden width.
 */
export function inst_stable(d: i32, m: i32, delta: f64, mu: f64, X: usize, r: i32, out: usize): i32 {
  const s = new Stripes(d, m, delta, mu, 0);
  const seen = heap.alloc(<usize>m);
  const changes = labelChanges(s, X, r, seen);
  const h = writeStable(s, seen, changes, out);
  heap.free(seen);
  return h;
}

/**
 * Run one attack of kind `kind` on the point x; on success writes the perturbation to `etaOut`
 * and returns an upper bound of the exact norm of fl(x + η) − x, otherwise returns −1. Success
 * means the witness was confirmed adversarial in exact arithmetic (witness.ts; the perturbation
 * may have been nudged outward for that). `opts` holds the attack options. The number of network
 * evaluations (value or value+gradient) the attack used is written to `evalsOut` (one f64), on
 * success and on failure alike.
 */
export function inst_attack(
  dims: usize, nDims: i32, bias: i32, params: usize, m: i32, x: usize, norm: i32, kind: i32, opts: usize, etaOut: usize,
  evalsOut: usize,
): f64 {
  const net = new Net(dims, nDims, bias != 0, params);
  const rng = new Philox(
    <u32>at(opts, ATTACK_OPTIONS_SEED_LO), <u32>at(opts, ATTACK_OPTIONS_SEED_HI), <u32>at(opts, ATTACK_OPTIONS_SUBSTREAM),
    <u32>at(opts, ATTACK_OPTIONS_STREAM_LO), <u32>at(opts, ATTACK_OPTIONS_STREAM_HI),
  );
  const atk = new Attacker(net, m, norm, rng);
  atk.steps = <i32>at(opts, ATTACK_OPTIONS_STEPS);
  atk.restarts = <i32>at(opts, ATTACK_OPTIONS_RESTARTS);
  atk.schedule = <i32>at(opts, ATTACK_OPTIONS_SCHEDULE);
  atk.randomStart = at(opts, ATTACK_OPTIONS_RANDOM_START) != 0;
  atk.setPoint(x);
  const eps = at(opts, ATTACK_OPTIONS_EPS);
  let ok = false;
  if (kind == ATK_FGSM) ok = atk.fgsm(eps);
  else if (kind == ATK_PGD) ok = atk.pgd(eps);
  else if (kind == ATK_FMN) ok = atk.fmn(atk.steps, eps);
  else if (kind == ATK_BISECT) ok = atk.bisect(eps, <i32>at(opts, ATTACK_OPTIONS_BISECT_ITERS));
  else if (kind == ATK_LINE) ok = atk.lineSearch(eps);
  else if (kind == ATK_DEEPFOOL) ok = atk.deepfool(atk.steps, at(opts, ATTACK_OPTIONS_OVERSHOOT));
  else if (kind == ATK_RANDOM) ok = atk.randomSearch(eps, <i32>at(opts, ATTACK_OPTIONS_QUERIES));
  else throw new Error(ERR_ARG);
  store<f64>(evalsOut, <f64>atk.evals);
  if (!ok || !isFinite(atk.bestNorm)) return -1.0;
  // The smallest perturbation this call verified (minimal-norm attacks improve on their first hit).
  for (let j = 0; j < net.d; j++) store<f64>(etaOut + (<usize>j << 3), unchecked(atk.best[j]));
  const wc = new WitnessCheck(net, m, norm);
  const r = wc.confirm(x, etaOut);
  return wc.status == WIT_DROPPED ? -1.0 : r;
}

/** Bounds [lo, hi] of φ over B(x, eps), written to out[0], out[1]. */
export function inst_bounds(
  dims: usize, nDims: i32, bias: i32, params: usize, x: usize, eps: f64, norm: i32, method: i32, directed: i32, out: usize,
): void {
  const net = new Net(dims, nDims, bias != 0, params);
  outputBounds(net, x, eps, norm, method, directed != 0, out);
}

/**
 * Certified robustness radius of the point x by bisection in [0, rMax]; rMax ≤ 0 means "just
 * below the distance to f's nearest discontinuity" (the largest meaningful value).
 */
export function inst_cert_radius(
  dims: usize, nDims: i32, bias: i32, params: usize, m: i32, x: usize, norm: i32, method: i32, directed: i32,
  iters: i32, rMax: f64,
): f64 {
  const net = new Net(dims, nDims, bias != 0, params);
  const x1 = load<f64>(x);
  const bmax = safeRadius(boundaryDistance(x1, m));
  const r = rMax > 0 ? Math.min(rMax, bmax) : bmax;
  return certifiedRadius(net, x, labelOf(x1, m), r, norm, method, directed != 0, iters);
}

/** Exact number of linear pieces of φ along a + t·e_1, t ∈ [0, len] (the trial's mid-line count). */
export function inst_pieces_e1(dims: usize, nDims: i32, bias: i32, params: usize, a: usize, len: f64): i32 {
  return piecesAlongE1(new Net(dims, nDims, bias != 0, params), a, len);
}

/**
 * The attack phase of a trial on explicit points (tests and diagnostics): point k of X (n × d)
 * is attacked when φ classifies it correctly, on its own substream SUBSTREAM_INSTABILITY_POINT_BASE + ids[k] (2^31 + ids[k]) of (seed,
 * streamLo, streamHi), with the plan vector's options, at μ and the listed radii. Writes each
 * point's smallest adversarial radius to atkOut (0 for a point misclassified in exact arithmetic, ∞
 * when nothing was found or confirmed) and its perturbation to etaOut (n × d); returns the evaluations spent.
 * Radii are sound as in a trial: the best witness is confirmed in exact arithmetic (witness.ts),
 * nudged outward if needed, and the radius bounds the exact ‖fl(x + η) − x‖ from above.
 */
export function inst_attack_points(
  dims: usize, nDims: i32, bias: i32, params: usize, m: i32, X: usize, n: i32, ids: usize, norm: i32,
  planV: usize, radii: usize, nRadii: i32, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32,
  atkOut: usize, etaOut: usize,
): f64 {
  const net = new Net(dims, nDims, bias != 0, params);
  const d = net.d;
  const plan = new AttackPlan();
  plan.mask = <i32>at(planV, ATTACK_PLAN_MASK);
  plan.norm = norm;
  plan.pgdSteps = <i32>at(planV, ATTACK_PLAN_STEPS);
  plan.pgdRestarts = <i32>at(planV, ATTACK_PLAN_RESTARTS);
  plan.schedule = <i32>at(planV, ATTACK_PLAN_SCHEDULE);
  plan.randomStart = at(planV, ATTACK_PLAN_RANDOM_START) != 0;
  plan.fmnSteps = <i32>at(planV, ATTACK_PLAN_FMN_STEPS);
  plan.dfIters = <i32>at(planV, ATTACK_PLAN_DF_ITERS);
  plan.bisectIters = <i32>at(planV, ATTACK_PLAN_BISECT_ITERS);
  plan.rsQueries = <i32>at(planV, ATTACK_PLAN_QUERIES);
  plan.mu = at(planV, ATTACK_PLAN_MU);
  plan.radii = radii;
  plan.nRadii = nRadii;
  const correct = new StaticArray<bool>(n);
  const idArr = new StaticArray<i32>(n);
  for (let i = 0; i < n; i++) {
    const x = X + (<usize>(i * d) << 3);
    unchecked((correct[i] = Math.abs(net.forward(x) - <f64>labelOf(load<f64>(x), m)) < 0.5));
    unchecked((idArr[i] = load<i32>(ids + (<usize>i << 2))));
  }
  const atk = new Attacker(net, m, norm, new Philox(seedLo, seedHi, SUBSTREAM_INSTABILITY_ATTACK, streamLo, streamHi));
  const ps = attackPoints(atk, X, n, correct, idArr, plan, seedLo, seedHi, streamLo, streamHi);
  const wc = new WitnessCheck(net, m, norm);
  const bestEta = changetype<usize>(ps.best);
  for (let i = 0; i < n; i++) {
    const ok = unchecked(correct[i]);
    let r = ok ? unchecked(ps.bestNorm[i]) : 0.0;
    if (ok && isFinite(r)) r = wc.confirm(X + (<usize>(i * d) << 3), bestEta + (<usize>(i * d) << 3));
    else if (!ok && !wc.adversarialAt(X + (<usize>(i * d) << 3))) r = Infinity; // wrong in f64 only
    const witness = ok && isFinite(r);
    store<f64>(atkOut + (<usize>i << 3), r);
    for (let j = 0; j < d; j++) {
      store<f64>(etaOut + (<usize>(i * d + j) << 3), witness ? unchecked(ps.best[i * d + j]) : 0.0);
    }
  }
  return <f64>atk.evals;
}

/**
 * Run the PGD of trials and `inst_attack_points` batched over points (on ≠ 0, the default) or
 * point by point (0), `chunk` points per batch (0: automatic). All give identical results; the
 * switch exists so tests can prove it.
 */
export function inst_set_batched_pgd(on: i32, chunk: i32): void {
  setBatchedPgd(on != 0, chunk);
}
