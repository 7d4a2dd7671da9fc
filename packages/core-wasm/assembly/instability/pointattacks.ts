// Every attack of a trial on every correctly classified point of T ∪ V, in the order SPEC §2 and
// docs/architecture.md fix per point: the e_1 line search (or the two e_1 rays), FMN, DeepFool,
// PGD bisection, then for μ and each listed radius not yet broken PGD, FGSM and random search.
//
// Random streams: point i (its index in T ∪ V) draws all of its attack randomness (PGD starts, the
// PGD inside bisection, random search) from its own Philox substream SUBSTREAM_INSTABILITY_POINT_BASE + i of
// the trial's stream. A point's result therefore depends only on the network, the point and i, not
// on the other points or on the order in which points are processed; that is what lets PGD run
// over all points in lockstep (pgdbatch.ts) and give exactly what the per-point loop gives.

import { Net } from "./net";
import { boundaryDistance } from "./stripes";
import {
  Attacker, ATK_FGSM, ATK_PGD, ATK_FMN, ATK_BISECT, ATK_LINE, ATK_DEEPFOOL, ATK_RANDOM,
} from "./attacks";
import { PointStates, PgdBatch, pgdChunk } from "./pgdbatch";
import { NORM_INF } from "../certify/rounding";
import { Philox } from "../rng/philox";
import { SUBSTREAM_INSTABILITY_POINT_BASE } from "../rng/substreams";
import { ERR_RANGE } from "../errors";

/** Relative tolerance for "found at radius ≤ ρ": forgives the last-bit rounding of ‖η‖. */
export const TOL: f64 = 1e-9;

/** Philox words one substream yields before its 32-bit block counter would wrap (2^34). */
const STREAM_WORDS: f64 = 17179869184.0;

/** What to run on every point (the trial's attack options). */
export class AttackPlan {
  mask: i32 = 0;
  norm: i32 = NORM_INF;
  pgdSteps: i32 = 20;
  pgdRestarts: i32 = 1;
  schedule: i32 = 0;
  randomStart: bool = true;
  fmnSteps: i32 = 100;
  dfIters: i32 = 50;
  bisectIters: i32 = 10;
  rsQueries: i32 = 100;
  mu: f64 = 0;
  /** The listed radii (nRadii f64). */
  radii: usize = 0;
  nRadii: i32 = 0;

  @inline has(atk: i32): bool {
    return (this.mask & (1 << atk)) != 0;
  }

  /**
   * Upper bound of the Philox words one point can draw under this plan: a ball sample takes at
   * most 2d + 4 words (d uniforms, or d normals and one uniform), a random-search query 2d + 6.
   */
  wordsPerPoint(d: i32): f64 {
    const ball = 2.0 * <f64>d + 6.0;
    const radii = <f64>(this.nRadii + 1);
    let starts = 0.0;
    if (this.has(ATK_BISECT)) starts += <f64>(this.bisectIters + 1);
    if (this.has(ATK_PGD)) starts += radii;
    let w = ball * starts * <f64>max(1, this.pgdRestarts);
    if (this.has(ATK_RANDOM)) w += ball * radii * <f64>(this.rsQueries + 1);
    return w;
  }
}

/** Whether `attackPoints` runs PGD batched (the default) or point by point (tests compare both). */
let batchedPgd = true;
/** Points per PGD batch; 0: `pgdChunk(net)`. */
let chunkOverride = 0;

/**
 * Switch the PGD of `attackPoints` between batched (true) and the scalar per-point loop, and set
 * the batch size (0: automatic); results are the same either way, tests prove it.
 */
export function setBatchedPgd(on: bool, chunk: i32): void {
  batchedPgd = on;
  chunkOverride = max(0, chunk);
}

/**
 * Attack each of the n points at X (n × d) for which correct[i] holds; point i uses substream
 * SUBSTREAM_INSTABILITY_POINT_BASE + ids[i] of (seed, streamLo, streamHi). Returns the per-point states:
 * smallest verified adversarial radius (∞ where none was found or the point was skipped) and its
 * perturbation; `atk.evals` counts the evaluations.
 */
export function attackPoints(
  atk: Attacker, X: usize, n: i32, correct: StaticArray<bool>, ids: StaticArray<i32>, plan: AttackPlan,
  seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32,
): PointStates {
  const d = atk.d;
  const m = atk.m;
  if (plan.wordsPerPoint(d) > STREAM_WORDS) throw new Error(ERR_RANGE);
  atk.steps = plan.pgdSteps;
  atk.restarts = plan.pgdRestarts;
  atk.schedule = plan.schedule;
  atk.randomStart = plan.randomStart;
  const ps = new PointStates(atk, X, n);
  for (let i = 0; i < n; i++) {
    if (!unchecked(correct[i])) continue;
    const id = unchecked(ids[i]);
    if (id < 0 || <u32>id >= SUBSTREAM_INSTABILITY_POINT_BASE) throw new Error(ERR_RANGE);
    unchecked((ps.rngs[i] = new Philox(seedLo, seedHi, SUBSTREAM_INSTABILITY_POINT_BASE + <u32>id, streamLo, streamHi)));
  }
  if (!batchedPgd) {
    for (let i = 0; i < n; i++) {
      if (!unchecked(correct[i])) continue;
      ps.select(i);
      phaseA(atk, ps.x(i), m, plan);
      for (let q = -1; q < plan.nRadii; q++) {
        const rho = q < 0 ? plan.mu : load<f64>(plan.radii + (<usize>q << 3));
        if (atk.bestNorm <= rho * (1.0 + TOL)) continue;
        if (plan.has(ATK_PGD) && atk.pgd(rho)) continue;
        lateAttacks(atk, rho, plan);
      }
      ps.save(i);
    }
    return ps;
  }
  let nc = 0;
  for (let i = 0; i < n; i++) {
    if (!unchecked(correct[i])) continue;
    ps.select(i);
    phaseA(atk, ps.x(i), m, plan);
    ps.save(i);
    nc++;
  }
  const pts = new StaticArray<i32>(max(nc, 1));
  const ok = new StaticArray<bool>(max(n, 1));
  // Points are independent: PGD runs over them in chunks that keep the batch buffers small.
  const chunk = max(1, min(nc, chunkOverride > 0 ? chunkOverride : pgdChunk(atk.net)));
  const pgd = new PgdBatch(ps, chunk);
  for (let q = -1; q < plan.nRadii; q++) {
    const rho = q < 0 ? plan.mu : load<f64>(plan.radii + (<usize>q << 3));
    let cnt = 0;
    for (let i = 0; i < n; i++) {
      if (unchecked(correct[i]) && unchecked(ps.bestNorm[i]) > rho * (1.0 + TOL)) unchecked((pts[cnt++] = i));
    }
    if (cnt == 0) continue;
    if (plan.has(ATK_PGD)) {
      for (let from = 0; from < cnt; from += chunk) pgd.run(pts, from, min(chunk, cnt - from), rho, ok);
    } else {
      for (let k = 0; k < cnt; k++) unchecked((ok[pts[k]] = false));
    }
    if (!plan.has(ATK_FGSM) && !plan.has(ATK_RANDOM)) continue;
    for (let k = 0; k < cnt; k++) {
      const i = unchecked(pts[k]);
      if (unchecked(ok[i])) continue;
      ps.select(i);
      lateAttacks(atk, rho, plan);
      ps.save(i);
    }
  }
  return ps;
}

/** The radius-free attacks on the selected point: rays or line search, FMN, DeepFool, bisection. */
function phaseA(atk: Attacker, x: usize, m: i32, plan: AttackPlan): void {
  const b = boundaryDistance(load<f64>(x), m);
  // The e_1 rays always run: they reach the stripe boundary, so the upper bound is finite.
  const tMax = b * (1.0 + 1e-6) + 1e-12;
  if (plan.has(ATK_LINE)) atk.lineSearch(tMax);
  else {
    atk.ray(0, 1.0, tMax);
    atk.ray(0, -1.0, tMax);
  }
  if (plan.has(ATK_FMN)) atk.fmn(plan.fmnSteps, b * 1.01);
  if (plan.has(ATK_DEEPFOOL)) atk.deepfool(plan.dfIters, 0.02);
  if (plan.has(ATK_BISECT)) atk.bisect(Math.min(atk.bestNorm, b), plan.bisectIters);
}

/** FGSM, then random search, at radius rho on the selected point (after PGD failed or was off). */
function lateAttacks(atk: Attacker, rho: f64, plan: AttackPlan): void {
  if (plan.has(ATK_FGSM) && atk.fgsm(rho)) return;
  if (plan.has(ATK_RANDOM)) atk.randomSearch(rho, plan.rsQueries);
}
