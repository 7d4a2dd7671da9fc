/**
 * Attacks and certificates on a given network, one point at a time (the trials run the same
 * kernels on every point inside one WASM call). The adversarial criterion is SPEC §1:
 * |φ(x + η) − f(x + η)| ≥ 1/2 with f the stripes classifier at the moved point.
 */
import type { Core } from '../core.js';
import { CoreError, formatValue } from '../errors.js';
import { validateNetwork, type Network } from '../network.js';
import { ATTACKS, normCode, type AttackName, type CertMethod, type NormName, type ScheduleName } from './params.js';
import { streamWords, type U64 } from '../rng/philox.js';
import { SUBSTREAM } from '../rng/substreams.js';
import { slotVector } from '../internal/slots.js';
import { ATTACK_OPTIONS } from './layout.js';

/** Defaults of `attack`'s optional options (see `AttackOptions`). */
export const ATTACK_DEFAULTS = Object.freeze({
  norm: 'linf',
  steps: 20,
  restarts: 1,
  schedule: 'constant',
  randomStart: true,
  queries: 100,
  bisectIters: 10,
  overshoot: 0.02,
  seed: 0,
  stream: 0,
  substream: SUBSTREAM.instability.attack,
} as const);

/** Options of `attack`. Defaults in brackets (`ATTACK_DEFAULTS`). */
export interface AttackOptions {
  /** Which attack. */
  kind: AttackName;
  /** Stripes of the true classifier f. */
  m: number;
  /** Ball norm [linf]. */
  norm?: NormName;
  /**
   * Radius of the ball for fgsm, pgd and random; the largest radius searched by fmn, bisect and
   * line (search along ±e_i up to this distance); unused by deepfool.
   */
  eps: number;
  /** PGD / FMN steps, or DeepFool iterations [20]. */
  steps?: number;
  /** PGD restarts [1]. */
  restarts?: number;
  /** PGD step schedule [constant]. */
  schedule?: ScheduleName;
  /** PGD: start every restart at a random point of the ball (else the first at x) [true]. */
  randomStart?: boolean;
  /** Random search: queries [100]. */
  queries?: number;
  /** Bisection over PGD: halvings [10]. */
  bisectIters?: number;
  /** DeepFool overshoot [0.02]. */
  overshoot?: number;
  /** Seed of the stream for random starts and random search [0]. */
  seed?: U64;
  /** Its 64-bit stream id [0]. */
  stream?: U64;
  /** Its substream [`SUBSTREAM.instability.attack` = 6]. */
  substream?: number;
}

/** What an attack found. */
export interface AttackResult {
  success: boolean;
  /**
   * The perturbation η (copy); null when nothing was found. Replay: x + η (in f64), a point that is
   * adversarial in exact arithmetic (the witness was checked soundly, and possibly nudged outward).
   */
  eta: Float64Array | null;
  /** An upper bound of the exact ‖(x + η) − x‖ in the attack norm (Infinity when nothing was found). */
  norm: number;
  /** Network evaluations spent. */
  evaluations: number;
}

function checkNet(net: Network): void {
  validateNetwork(net);
  if (net.dims[net.dims.length - 1] !== 1) {
    throw new CoreError('E_SHAPE', `network.dims: the stripes experiment needs one output (N_L = 1), got [${net.dims.join(', ')}]`);
  }
}

function checkPoint(net: Network, x: ArrayLike<number>): void {
  const d = net.dims[0]!;
  if (x === null || typeof x !== 'object' || x.length !== d) {
    throw new CoreError('E_SHAPE', `x: expected ${d} coordinates (the network's input dimension), got ${formatValue(x)}`);
  }
  for (let j = 0; j < d; j++) {
    if (!Number.isFinite(x[j])) throw new CoreError('E_ARG', `x[${j}]: expected a finite number, got ${x[j]}`);
  }
}

function checkM(m: number): void {
  if (!Number.isInteger(m) || m < 2 || m > 100_000) throw new CoreError('E_ARG', `m: expected an integer in [2, 100000], got ${formatValue(m)}`);
}

function posInt(v: number, where: string, hi: number): number {
  if (!Number.isInteger(v) || v < 1 || v > hi) throw new CoreError('E_ARG', `${where}: expected an integer in [1, ${hi}], got ${formatValue(v)}`);
  return v;
}

type AttackFn = (
  dims: number, nDims: number, bias: number, params: number, m: number, x: number, norm: number, kind: number, opts: number, eta: number,
  evalsOut: number,
) => number;

/** Run one attack on the point x of network `net`; see `AttackOptions`. */
export function attack(core: Core, net: Network, x: ArrayLike<number>, options: AttackOptions): AttackResult {
  checkNet(net);
  checkPoint(net, x);
  const o = options;
  checkM(o.m);
  const kind = ATTACKS.indexOf(o.kind);
  if (kind < 0) throw new CoreError('E_ARG', `kind: expected one of: ${ATTACKS.join(', ')}, got ${formatValue(o.kind)}`);
  const D = ATTACK_DEFAULTS;
  const norm = normCode(o.norm ?? D.norm);
  if (norm < 0) throw new CoreError('E_ARG', `norm: expected one of: linf, l2, got ${formatValue(o.norm)}`);
  if (o.kind !== 'deepfool' && !(typeof o.eps === 'number' && o.eps > 0 && Number.isFinite(o.eps))) {
    throw new CoreError('E_ARG', `eps: expected a radius > 0, got ${formatValue(o.eps)}`);
  }
  const schedules: ScheduleName[] = ['constant', 'cosine', 'step'];
  const sched = schedules.indexOf(o.schedule ?? D.schedule);
  if (sched < 0) throw new CoreError('E_ARG', `schedule: expected one of: ${schedules.join(', ')}, got ${formatValue(o.schedule)}`);
  const overshoot = o.overshoot ?? D.overshoot;
  if (!(overshoot >= 0 && overshoot < 10)) throw new CoreError('E_ARG', `overshoot: expected a number in [0, 10), got ${formatValue(overshoot)}`);
  let w: [number, number, number, number, number];
  try {
    w = streamWords({ seed: o.seed ?? D.seed, stream: o.stream ?? D.stream, substream: o.substream ?? D.substream });
  } catch (e) {
    throw new CoreError('E_ARG', `attack: ${(e as Error).message}`);
  }
  const [sLo, sHi, substream, streamLo, streamHi] = w;
  const opts = slotVector(ATTACK_OPTIONS, {
    EPS: o.eps ?? 0,
    STEPS: posInt(o.steps ?? D.steps, 'steps', 1_000_000),
    RESTARTS: posInt(o.restarts ?? D.restarts, 'restarts', 1000),
    SCHEDULE: sched,
    RANDOM_START: (o.randomStart ?? D.randomStart) ? 1 : 0,
    QUERIES: posInt(o.queries ?? D.queries, 'queries', 1_000_000),
    BISECT_ITERS: posInt(o.bisectIters ?? D.bisectIters, 'bisectIters', 60),
    OVERSHOOT: overshoot,
    SEED_LO: sLo,
    SEED_HI: sHi,
    STREAM_LO: streamLo,
    STREAM_HI: streamHi,
    SUBSTREAM: substream,
  });
  const d = net.dims[0]!;
  const raw = core.raw;
  return raw.scoped((s) => {
    const eta = s.f64Zeros(d);
    const evalsOut = s.f64Zeros(1);
    const n = raw.fn<AttackFn>('inst_attack')(
      s.i32(net.dims), net.dims.length, net.bias ? 1 : 0, s.f64(net.params), o.m, s.f64(x), norm, kind, s.f64(opts), eta, evalsOut,
    );
    const evaluations = s.readF64(evalsOut, 1)[0]!;
    if (n < 0) return { success: false, eta: null, norm: Infinity, evaluations };
    return { success: true, eta: s.readF64(eta, d), norm: n, evaluations };
  });
}

/** Options of `certify` / `certifiedRadius`. */
export interface CertifyOptions {
  /** Ball norm [linf]. */
  norm?: NormName;
  /** `ibp`, or `crown` (CROWN bounds intersected with IBP's) [crown]. */
  method?: CertMethod;
  /** Widen bounds by rigorous rounding-error bounds (sound in floating point) [true]. */
  directed?: boolean;
}

/** Bounds of φ over a ball. */
export interface Bounds {
  lower: number;
  upper: number;
}

function certCodes(o: CertifyOptions): [number, number, number] {
  const norm = normCode(o.norm ?? 'linf');
  if (norm < 0) throw new CoreError('E_ARG', `norm: expected one of: linf, l2, got ${formatValue(o.norm)}`);
  const m = o.method ?? 'crown';
  if (m !== 'ibp' && m !== 'crown') throw new CoreError('E_ARG', `method: expected one of: ibp, crown, got ${formatValue(m)}`);
  const directed = o.directed ?? true;
  if (typeof directed !== 'boolean') throw new CoreError('E_ARG', `directed: expected true or false, got ${formatValue(directed)}`);
  return [norm, m === 'ibp' ? 1 : 3, directed ? 1 : 0];
}

/** Lower and upper bounds of φ over the ball B(x, eps) (IBP or CROWN). */
export function certify(core: Core, net: Network, x: ArrayLike<number>, eps: number, options: CertifyOptions = {}): Bounds {
  checkNet(net);
  checkPoint(net, x);
  if (!(typeof eps === 'number' && eps >= 0 && Number.isFinite(eps))) throw new CoreError('E_ARG', `eps: expected a radius ≥ 0, got ${formatValue(eps)}`);
  const [norm, method, directed] = certCodes(options);
  const raw = core.raw;
  return raw.scoped((s) => {
    const out = s.f64Zeros(2);
    raw.fn<(...a: number[]) => void>('inst_bounds')(
      s.i32(net.dims), net.dims.length, net.bias ? 1 : 0, s.f64(net.params), s.f64(x), eps, norm, method, directed, out,
    );
    const [lower, upper] = s.readF64(out, 2);
    return { lower: lower!, upper: upper! };
  });
}

/**
 * Certified robustness radius of x against the stripes classifier with m stripes: the largest
 * radius (by `iters` bisection steps, default 20) at which the bounds prove |φ − f| < 1/2 on the
 * whole ball, searched below the distance to f's nearest discontinuity (never a limitation: the
 * true radius of a continuous φ cannot exceed it) or below `maxRadius` if smaller. 0 when φ is
 * already wrong at x.
 */
export function certifiedRadius(
  core: Core, net: Network, x: ArrayLike<number>, m: number, options: CertifyOptions & { iters?: number; maxRadius?: number } = {},
): number {
  checkNet(net);
  checkPoint(net, x);
  checkM(m);
  const [norm, method, directed] = certCodes(options);
  const iters = posInt(options.iters ?? 20, 'iters', 60);
  const maxR = options.maxRadius ?? 0;
  if (!(maxR >= 0 && Number.isFinite(maxR))) throw new CoreError('E_ARG', `maxRadius: expected a radius ≥ 0 (0: no limit), got ${formatValue(maxR)}`);
  const raw = core.raw;
  return raw.scoped((s) =>
    raw.fn<(...a: number[]) => number>('inst_cert_radius')(
      s.i32(net.dims), net.dims.length, net.bias ? 1 : 0, s.f64(net.params), m, s.f64(x), norm, method, directed, iters, maxR,
    ),
  );
}
