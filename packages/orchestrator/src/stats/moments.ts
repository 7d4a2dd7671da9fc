/**
 * Moments and exact quantiles of a real-valued quantity over trials, computed from its per-trial
 * values in trial order. Trial order is fixed by the seeding, so the results do not depend on how
 * trials were batched, which worker ran them, or how often the run was resumed.
 *
 * Quantiles are exact order statistics found by radix selection over the values' order-preserving
 * 64-bit keys, 16 bits per pass: memory stays O(65536) whatever the number of trials (the values
 * are streamed from the run store on every pass, never held all at once).
 */
import type { Moments } from '../summary/types.js';

/** A re-iterable stream of a quantity's values in trial order (chunks of any length). */
export type ValueStream = () => Iterable<Float64Array>;

/** Welford's online mean and variance: numerically stable, one pass, order-defined. */
export class Welford {
  n = 0;
  mean = 0;
  private m2 = 0;
  /** Add one observation. */
  push(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  /** Sample variance (n − 1 denominator; 0 when n < 2). */
  get variance(): number {
    return this.n < 2 ? 0 : this.m2 / (this.n - 1);
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high word in u32 (little-endian hosts: 1). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The key computed by the last `setKey` (module state: this runs on hundreds of millions of values, so no allocation per value). */
let kh = 0;
let kl = 0;

/** Order-preserving key of a finite double into (kh, kl): unsigned (hi, lo) compare as the numbers do. */
function setKey(x: number): void {
  f64[0] = x === 0 ? 0 : x; // -0 and 0 are the same value
  const hi = u32[HI] as number;
  const lo = u32[LO] as number;
  if (hi & 0x80000000) {
    kh = ~hi >>> 0;
    kl = ~lo >>> 0;
  } else {
    kh = (hi | 0x80000000) >>> 0;
    kl = lo;
  }
}

function valueOf(hi: number, lo: number): number {
  if (hi & 0x80000000) {
    u32[HI] = (hi & 0x7fffffff) >>> 0;
    u32[LO] = lo;
  } else {
    u32[HI] = ~hi >>> 0;
    u32[LO] = ~lo >>> 0;
  }
  return f64[0] as number;
}

function digit(hi: number, lo: number, level: number): number {
  switch (level) {
    case 0:
      return hi >>> 16;
    case 1:
      return hi & 0xffff;
    case 2:
      return lo >>> 16;
    default:
      return lo & 0xffff;
  }
}

/** Collect values whose remaining bucket is at most this large instead of refining further. */
const COLLECT_MAX = 1 << 16;

interface RankSearch {
  rank: number;
  /** Digits chosen so far (levels 0..level−1). */
  digits: number[];
  /** Rank within the current bucket. */
  within: number;
  /** Size of the current bucket (n at the start). */
  bucket: number;
  value?: number;
}

/** Searches sharing a bucket, with what one pass gathers for them. */
interface Group {
  searches: RankSearch[];
  level: number;
  /** The fixed key bits: high word (levels 1–2) and low word (levels 3–4). */
  hi: number;
  lo: number;
  collect: boolean;
  values: number[];
  hist: Float64Array | null;
}

function inGroup(g: Group): boolean {
  switch (g.level) {
    case 0:
      return true;
    case 1:
      return kh >>> 16 === g.hi >>> 16;
    case 2:
      return kh === g.hi;
    case 3:
      return kh === g.hi && kl >>> 16 === g.lo >>> 16;
    default:
      return kh === g.hi && kl === g.lo;
  }
}

/**
 * The values at the given 0-based ranks (ascending order statistics) of the finite values of a
 * stream. Radix selection, 16 key bits per level; every pass serves all pending ranks at once,
 * so at most five passes are made over the data.
 */
export function orderStatistics(stream: ValueStream, ranks: number[], n: number): number[] {
  const searches: RankSearch[] = ranks.map((rank) => ({ rank, digits: [], within: rank, bucket: n }));
  for (let pass = 0; pass < 6 && searches.some((s) => s.value === undefined); pass++) {
    const byPrefix = new Map<string, Group>();
    for (const s of searches) {
      if (s.value !== undefined) continue;
      const key = s.digits.join(',');
      const g = byPrefix.get(key);
      if (g) {
        g.searches.push(s);
        continue;
      }
      const d = s.digits;
      const level = d.length;
      const collect = s.bucket <= COLLECT_MAX || level === 4;
      byPrefix.set(key, {
        searches: [s],
        level,
        hi: (((d[0] ?? 0) << 16) | (d[1] ?? 0)) >>> 0,
        lo: (((d[2] ?? 0) << 16) | (d[3] ?? 0)) >>> 0,
        collect,
        values: [],
        hist: collect ? null : new Float64Array(65536),
      });
    }
    const groups = [...byPrefix.values()];
    for (const chunk of stream()) {
      for (let i = 0; i < chunk.length; i++) {
        const x = chunk[i] as number;
        if (!Number.isFinite(x)) continue;
        setKey(x);
        for (const g of groups) {
          if (!inGroup(g)) continue;
          if (g.collect) g.values.push(x === 0 ? 0 : x);
          else {
            const h = g.hist as Float64Array;
            const dg = digit(kh, kl, g.level);
            h[dg] = (h[dg] as number) + 1;
          }
        }
      }
    }
    for (const g of groups) {
      if (g.collect) {
        g.values.sort((a, b) => a - b);
        for (const s of g.searches) s.value = g.values[s.within] as number;
        continue;
      }
      const hist = g.hist as Float64Array;
      for (const s of g.searches) {
        let cum = 0;
        for (let d = 0; d < 65536; d++) {
          const c = hist[d] as number;
          if (s.within < cum + c) {
            s.digits = [...s.digits, d];
            s.within -= cum;
            s.bucket = c;
            break;
          }
          cum += c;
        }
        if (s.digits.length === 4) {
          // Every bit of the key is fixed: all values in the bucket are this one value.
          const d = s.digits as [number, number, number, number];
          s.value = valueOf(((d[0] << 16) | d[1]) >>> 0, ((d[2] << 16) | d[3]) >>> 0);
        }
      }
    }
  }
  return searches.map((s) => s.value as number);
}

/** Largest number of distinct values tracked by the counting shortcut. */
const DISTINCT_MAX = 4096;

/** Order statistics at ascending `ranks` from value counts. */
function fromCounts(counts: Map<number, number>, ranks: number[]): number[] {
  const values = [...counts.keys()].sort((a, b) => a - b);
  const out: number[] = [];
  let i = 0;
  let cum = 0;
  for (const r of ranks) {
    while (cum + (counts.get(values[i] as number) as number) <= r) {
      cum += counts.get(values[i] as number) as number;
      i++;
    }
    out.push(values[i] as number);
  }
  return out;
}

/** Quantile of type 7 (linear interpolation between order statistics, as R's default) from sorted neighbours. */
function interpolate(q: number, n: number, at: (rank: number) => number): number {
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = at(lo);
  const b = at(hi);
  return lo === hi ? a : a + (h - lo) * (b - a);
}

/**
 * Moments of the finite values of a stream (NaN and ±Infinity are skipped: they mark trials
 * without a value). Every field is 0 when there are no finite values (`n` says so).
 */
export function moments(stream: ValueStream): Moments {
  const w = new Welford();
  let min = Infinity;
  let max = -Infinity;
  // Outcomes are often discrete (bits read, steps, the few distances a coin can produce): while
  // the values seen are few, their counts give every order statistic without another pass.
  let distinct: Map<number, number> | null = new Map();
  for (const chunk of stream()) {
    for (let i = 0; i < chunk.length; i++) {
      const x = chunk[i] as number;
      if (!Number.isFinite(x)) continue;
      w.push(x);
      if (x < min) min = x;
      if (x > max) max = x;
      if (distinct) {
        const v = x === 0 ? 0 : x;
        distinct.set(v, (distinct.get(v) ?? 0) + 1);
        if (distinct.size > DISTINCT_MAX) distinct = null;
      }
    }
  }
  const n = w.n;
  if (n === 0) return { n: 0, mean: 0, sd: 0, min: 0, q25: 0, median: 0, q75: 0, max: 0 };
  const qs = [0.25, 0.5, 0.75];
  const ranks = [...new Set(qs.flatMap((q) => [Math.floor((n - 1) * q), Math.ceil((n - 1) * q)]))].sort((a, b) => a - b);
  const stats = distinct ? fromCounts(distinct, ranks) : orderStatistics(stream, ranks, n);
  const byRank = new Map(ranks.map((r, i) => [r, stats[i] as number]));
  const at = (r: number) => byRank.get(r) as number;
  return {
    n,
    mean: w.mean,
    sd: Math.sqrt(w.variance),
    min: min === 0 ? 0 : min,
    q25: interpolate(0.25, n, at),
    median: interpolate(0.5, n, at),
    q75: interpolate(0.75, n, at),
    max: max === 0 ? 0 : max,
  };
}
