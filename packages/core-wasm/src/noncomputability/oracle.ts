/**
 * The Δ1 oracle (SPEC §3.3): the only way an algorithm sees its training data.
 *
 * `read(n)` returns every coordinate as a dyadic q with |q − x| ≤ 2^-n, exactly (BigInt numerators):
 * * `honest`: the nearest multiple of 2^-n (ties away from zero), so |q − x| ≤ 2^-(n+1);
 * * `adversarial`: for n ≤ K the exact values of ι_0 (δ = 0) — valid because |c_j δ| ≤ 2^-K ≤ 2^-n —
 *   and honest values for n > K. Both members of the pair therefore answer identically for n ≤ K.
 */
import { CoreError } from '../errors.js';
import { isExactF64, dyadicToF64, roundShift } from './dyadic.js';
import type { OracleRead } from './algorithm.js';
import type { ExactData, HardPair } from './pair.js';
import type { OracleMode } from './params.js';

/** Counters of what an algorithm read in one run. */
export interface ReadStats {
  /** Number of `read` calls. */
  reads: number;
  /** The highest precision n read (0 when nothing was read). */
  bitsRead: number;
  /** Σ over calls of n × (number of values returned). */
  bitsTotal: number;
  /** The precisions read, in order. */
  history: number[];
}

interface CachedRead {
  n: number;
  exp: number;
  xNum: readonly bigint[];
  yNum: readonly bigint[];
  x: Float64Array;
  y: Float64Array;
  exactF64: boolean;
}

function roundTo(data: ExactData, n: number): CachedRead {
  const shift = data.exp - n;
  const xNum = Object.freeze(data.x.map((v) => roundShift(v, shift)));
  const yNum = Object.freeze(data.y.map((v) => roundShift(v, shift)));
  return finish(n, n, xNum, yNum);
}

function finish(n: number, exp: number, xNum: readonly bigint[], yNum: readonly bigint[]): CachedRead {
  const exactF64 = xNum.every((v) => isExactF64(v, exp)) && yNum.every((v) => isExactF64(v, exp));
  return {
    n,
    exp,
    xNum,
    yNum,
    x: Float64Array.from(xNum, (v) => dyadicToF64(v, exp)),
    y: Float64Array.from(yNum, (v) => dyadicToF64(v, exp)),
    exactF64,
  };
}

/**
 * Answers of one member of a pair, cached by n: the data of a cell do not depend on the trial, so
 * the BigInt work is done once per (sign, n) however many trials run.
 */
export class OracleSource {
  private readonly cache = new Map<number, CachedRead>();
  constructor(
    private readonly pair: HardPair,
    private readonly sign: 1 | -1,
    private readonly mode: OracleMode,
  ) {}

  /** The answer at precision n (validated by the caller). */
  answer(n: number): CachedRead {
    let a = this.cache.get(n);
    if (!a) {
      const K = this.pair.params.K;
      if (this.mode === 'adversarial' && n <= K) {
        const z = this.pair.zero;
        // ι_0 exactly, written over 2^max(n, exp) so the denominator is 2^n whenever that is exact.
        const exp = Math.max(n, z.exp);
        const up = BigInt(exp - z.exp);
        a = finish(n, exp, Object.freeze(z.x.map((v) => v << up)), Object.freeze(z.y.map((v) => v << up)));
      } else {
        a = roundTo(this.sign === 1 ? this.pair.plus : this.pair.minus, n);
      }
      this.cache.set(n, a);
    }
    return a;
  }
}

/**
 * A counting oracle for one algorithm run. `read` is a closure over the source and the counters:
 * the algorithm gets the function, never this object's internals.
 */
export function countingOracle(source: OracleSource, budget: number, who: string): { read: (n: number) => OracleRead; stats: ReadStats } {
  const stats: ReadStats = { reads: 0, bitsRead: 0, bitsTotal: 0, history: [] };
  const read = (n: number): OracleRead => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > budget) {
      throw new CoreError('E_ARG', `${who}: read(n) expects an integer 1 ≤ n ≤ ${budget} (the bit budget readBits), got ${String(n)}`);
    }
    const a = source.answer(n);
    stats.reads += 1;
    stats.bitsRead = Math.max(stats.bitsRead, n);
    stats.bitsTotal += n * (a.xNum.length + a.yNum.length);
    stats.history.push(n);
    return Object.freeze({
      n: a.n,
      exp: a.exp,
      xNum: a.xNum,
      yNum: a.yNum,
      x: a.x.slice(),
      y: a.y.slice(),
      exactF64: a.exactF64,
    });
  };
  return { read, stats };
}
