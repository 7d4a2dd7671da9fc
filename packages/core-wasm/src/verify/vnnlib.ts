/**
 * The VNN-LIB subset of the VNN-COMP ACAS Xu and MNIST benchmarks: `(declare-const X_i Real)`,
 * `(declare-const Y_i Real)`, and `(assert …)` of bounds on inputs (`(<= X_0 0.6)`,
 * `(>= X_0 -0.3)`) and, over the outputs, `<=`/`>=` between linear terms (a constant, Y_i, or
 * `(+ …)`, `(- …)`, `(* k Y_i)`), combined with `and`/`or`; an `or` of `and`s of input bounds only
 * is a union of input boxes (ACAS Xu property 6: `BoxProperty.boxes`). All asserts together describe the
 * UNSAFE outputs (VNN-COMP: "sat" when some input in the box reaches them). Anything else is
 * refused with `E_FORMAT` naming the line.
 */
import { CoreError } from '../errors.js';
import { nextDown, nextUp, type BoxProperty, type PropertyBox, type LinearConstraint } from './property.js';

type SExpr = string | SExpr[];

function tokenize(text: string): { tok: string; line: number }[] {
  const out: { tok: string; line: number }[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/;.*$/, '');
    for (const m of line.matchAll(/\(|\)|[^\s()]+/g)) out.push({ tok: m[0], line: i + 1 });
  });
  return out;
}

function parse(text: string): { e: SExpr; line: number }[] {
  const toks = tokenize(text);
  let i = 0;
  const read = (): SExpr => {
    const t = toks[i++];
    if (!t) throw new CoreError('E_FORMAT', 'vnnlib: unexpected end of file (unbalanced parentheses)');
    if (t.tok === ')') throw new CoreError('E_FORMAT', `vnnlib line ${t.line}: unexpected ')'`);
    if (t.tok !== '(') return t.tok;
    const list: SExpr[] = [];
    while (toks[i] && toks[i]!.tok !== ')') list.push(read());
    if (!toks[i]) throw new CoreError('E_FORMAT', `vnnlib line ${t.line}: '(' is never closed`);
    i++;
    return list;
  };
  const out: { e: SExpr; line: number }[] = [];
  while (i < toks.length) {
    const line = toks[i]!.line;
    out.push({ e: read(), line });
  }
  return out;
}

/** A decimal constant as the enclosure [lo, hi] of adjacent f64 (lo = hi when exact). */
function decimal(s: string, line: number): [number, number] {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new CoreError('E_FORMAT', `vnnlib line ${line}: expected a number, got '${s}'`);
  const v = Number(s);
  if (!Number.isFinite(v)) throw new CoreError('E_FORMAT', `vnnlib line ${line}: '${s}' is out of the f64 range`);
  if (exactDecimal(s, v)) return [v, v];
  return [nextDown(v), nextUp(v)];
}

/** Whether the decimal string s is exactly the f64 v (compare as fractions of BigInts). */
function exactDecimal(s: string, v: number): boolean {
  const m = /^([-+]?)(\d*)\.?(\d*)(?:[eE]([-+]?\d+))?$/.exec(s)!;
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const exp10 = Number(m[4] ?? '0') - (m[3] ?? '').length;
  let n = BigInt(digits === '' ? '0' : digits);
  if (m[1] === '-') n = -n;
  // v = mant·2^e exactly
  const b = new Float64Array([v]);
  const u = new BigUint64Array(b.buffer)[0]!;
  const bexp = Number((u >> 52n) & 0x7ffn);
  const frac = u & ((1n << 52n) - 1n);
  let mant = bexp === 0 ? frac : frac | (1n << 52n);
  if (v < 0) mant = -mant;
  const e2 = (bexp === 0 ? 1 : bexp) - 1075;
  // n·10^exp10 = mant·2^e2 ⟺ n·10^a·2^b' = mant·10^c·2^d' with non-negative exponents
  let lhs = n;
  let rhs = mant;
  if (exp10 >= 0) lhs *= 10n ** BigInt(exp10);
  else rhs *= 10n ** BigInt(-exp10);
  if (e2 >= 0) rhs <<= BigInt(e2);
  else lhs <<= BigInt(-e2);
  return lhs === rhs;
}

/** A linear term over the outputs: coefficients (sparse) and an interval constant. */
interface Term {
  c: Map<number, number>;
  k: [number, number];
}

/**
 * Read the VNN-LIB text of a property for a network with `nIn` inputs and `nOut` outputs.
 * Every input must be bounded on both sides.
 */
export function parseVnnlib(text: string, nIn: number, nOut: number): BoxProperty {
  const lo = new Array<number>(nIn).fill(-Infinity);
  const hi = new Array<number>(nIn).fill(Infinity);
  const innerLo = new Array<number>(nIn).fill(-Infinity);
  const innerHi = new Array<number>(nIn).fill(Infinity);
  let unsafe: LinearConstraint[][] = [[]];
  const varIndex = (s: string, kind: 'X' | 'Y', line: number): number => {
    const m = /^([XY])_(\d+)$/.exec(s);
    if (!m || m[1] !== kind) return -1;
    const i = Number(m[2]);
    const n = kind === 'X' ? nIn : nOut;
    if (i >= n) throw new CoreError('E_FORMAT', `vnnlib line ${line}: ${s} does not exist (the network has ${n} ${kind === 'X' ? 'inputs' : 'outputs'})`);
    return i;
  };
  const term = (e: SExpr, line: number): Term => {
    if (typeof e === 'string') {
      const y = varIndex(e, 'Y', line);
      if (y >= 0) return { c: new Map([[y, 1]]), k: [0, 0] };
      if (/^X_/.test(e)) throw new CoreError('E_FORMAT', `vnnlib line ${line}: inputs may only be bounded by constants, not mixed with outputs (${e})`);
      return { c: new Map(), k: decimal(e, line) };
    }
    const [op, ...args] = e;
    if (op === '+' || op === '-') {
      const ts = args.map((a) => term(a, line));
      if (op === '-' && ts.length === 1) ts.unshift({ c: new Map(), k: [0, 0] });
      const out: Term = { c: new Map(), k: [0, 0] };
      ts.forEach((t, i) => {
        const sgn = op === '-' && i > 0 ? -1 : 1;
        for (const [y, v] of t.c) out.c.set(y, (out.c.get(y) ?? 0) + sgn * v);
        const [a, b] = sgn > 0 ? t.k : [-t.k[1], -t.k[0]];
        out.k = [out.k[0] + a, out.k[1] + b];
      });
      if (out.k[0] !== out.k[1]) out.k = [nextDown(out.k[0]), nextUp(out.k[1])];
      return out;
    }
    if (op === '*' && args.length === 2 && typeof args[0] === 'string' && typeof args[1] === 'string') {
      const [k0, k1] = decimal(args[0], line);
      if (k0 !== k1) throw new CoreError('E_FORMAT', `vnnlib line ${line}: coefficient ${args[0]} is not exactly an f64`);
      const y = varIndex(args[1], 'Y', line);
      if (y < 0) throw new CoreError('E_FORMAT', `vnnlib line ${line}: expected (* constant Y_i)`);
      return { c: new Map([[y, k0]]), k: [0, 0] };
    }
    throw new CoreError('E_FORMAT', `vnnlib line ${line}: unsupported term ${JSON.stringify(e)} (allowed: constants, Y_i, +, -, (* k Y_i))`);
  };
  /** The constraint `a op b` over outputs as c·y ≤ d. */
  const constraint = (op: string, a: SExpr, b: SExpr, line: number): LinearConstraint => {
    const ta = term(a, line);
    const tb = term(b, line);
    // a ≤ b ⟺ (a − b)·y ≤ kb − ka ; a ≥ b ⟺ (b − a)·y ≤ ka − kb
    const [p, q] = op === '<=' ? [ta, tb] : [tb, ta];
    const c = new Array<number>(nOut).fill(0);
    for (const [y, v] of p.c) c[y]! += v;
    for (const [y, v] of q.c) c[y]! -= v;
    let dLo = q.k[0] - p.k[1];
    let dHi = q.k[1] - p.k[0];
    if (!(dLo === dHi && q.k[0] === q.k[1] && p.k[0] === p.k[1] && (p.k[0] === 0 || q.k[0] === 0))) {
      dLo = nextDown(dLo);
      dHi = nextUp(dHi);
    }
    return { c, dLo, dHi };
  };
  /** DNF of an output formula: OR of ANDs. */
  const dnf = (e: SExpr, line: number): LinearConstraint[][] => {
    if (!Array.isArray(e) || e.length === 0) throw new CoreError('E_FORMAT', `vnnlib line ${line}: expected a formula, got ${JSON.stringify(e)}`);
    const [op, ...args] = e;
    if (op === 'and') {
      let acc: LinearConstraint[][] = [[]];
      for (const a of args) {
        const d = dnf(a, line);
        acc = acc.flatMap((x) => d.map((y) => [...x, ...y]));
      }
      return acc;
    }
    if (op === 'or') return args.flatMap((a) => dnf(a, line));
    if ((op === '<=' || op === '>=') && args.length === 2) return [[constraint(op, args[0]!, args[1]!, line)]];
    throw new CoreError('E_FORMAT', `vnnlib line ${line}: unsupported formula '${String(op)}' (allowed: and, or, <=, >=)`);
  };
  /** An input bound (<= X_i k), (>= X_i k), (<= k X_i), (>= k X_i), or null. */
  const xBound = (f: SExpr, line: number): { i: number; upper: boolean; k: [number, number] } | null => {
    if (!(Array.isArray(f) && (f[0] === '<=' || f[0] === '>=') && f.length === 3 && typeof f[1] === 'string' && typeof f[2] === 'string')) return null;
    const xi = varIndex(f[1], 'X', line);
    const xj = varIndex(f[2], 'X', line);
    if (xi < 0 && xj < 0) return null;
    return { i: xi >= 0 ? xi : xj, upper: (f[0] === '<=') === xi >= 0, k: decimal(xi >= 0 ? f[2] : f[1], line) };
  };
  type XB = NonNullable<ReturnType<typeof xBound>>;
  /** An OR of ANDs of input bounds only (a union of input boxes), as lists of bounds, or null. */
  const inputCases = (f: SExpr, line: number): XB[][] | null => {
    if (!Array.isArray(f) || f[0] !== 'or') return null;
    const out: XB[][] = [];
    for (const a of f.slice(1)) {
      const leaves = Array.isArray(a) && a[0] === 'and' ? a.slice(1) : [a];
      const bs = leaves.map((l) => xBound(l, line));
      if (bs.some((b) => b === null)) return null;
      out.push(bs as XB[]);
    }
    return out;
  };
  const apply = (b: XB, box: { lo: number[]; hi: number[]; innerLo: number[]; innerHi: number[] }): void => {
    const [k0, k1] = b.k;
    if (b.upper) {
      box.hi[b.i] = Math.min(box.hi[b.i]!, k1);
      box.innerHi[b.i] = Math.min(box.innerHi[b.i]!, k0);
    } else {
      box.lo[b.i] = Math.max(box.lo[b.i]!, k0);
      box.innerLo[b.i] = Math.max(box.innerLo[b.i]!, k1);
    }
  };
  /** Input-box disjunctions met so far: the admissible inputs are the product of their cases. */
  let caseLists: XB[][] = [[]];
  for (const { e, line } of parse(text)) {
    if (!Array.isArray(e)) throw new CoreError('E_FORMAT', `vnnlib line ${line}: expected a command, got '${e}'`);
    const [cmd, ...args] = e;
    if (cmd === 'declare-const') {
      const name = args[0];
      if (typeof name !== 'string' || (varIndex(name, 'X', line) < 0 && varIndex(name, 'Y', line) < 0) || args[1] !== 'Real') {
        throw new CoreError('E_FORMAT', `vnnlib line ${line}: expected (declare-const X_i Real) or (declare-const Y_i Real)`);
      }
      continue;
    }
    if (cmd !== 'assert' || args.length !== 1) throw new CoreError('E_FORMAT', `vnnlib line ${line}: expected declare-const or assert, got '${String(cmd)}'`);
    const f = args[0]!;
    const xb = xBound(f, line);
    if (xb) {
      apply(xb, { lo, hi, innerLo, innerHi });
      continue;
    }
    const cases = inputCases(f, line);
    if (cases) {
      caseLists = caseLists.flatMap((x) => cases.map((y) => [...x, ...y]));
      continue;
    }
    const d = dnf(f, line);
    unsafe = unsafe.flatMap((x) => d.map((y) => [...x, ...y]));
  }
  if (unsafe.some((conj) => conj.length === 0)) throw new CoreError('E_FORMAT', 'vnnlib: no assertion over the outputs Y_i');
  const boxes: PropertyBox[] = [];
  for (const [c, bs] of caseLists.entries()) {
    const box = { lo: lo.slice(), hi: hi.slice(), innerLo: innerLo.slice(), innerHi: innerHi.slice() };
    for (const b of bs) apply(b, box);
    const which = caseLists.length > 1 ? ` (input case ${c + 1} of ${caseLists.length})` : '';
    for (let i = 0; i < nIn; i++) {
      if (!Number.isFinite(box.lo[i]!) || !Number.isFinite(box.hi[i]!)) {
        throw new CoreError('E_FORMAT', `vnnlib: input X_${i} needs both a lower and an upper bound${which}`);
      }
      if (box.lo[i]! > box.hi[i]!) throw new CoreError('E_FORMAT', `vnnlib: input X_${i} has an empty range [${box.lo[i]}, ${box.hi[i]}]${which}`);
      if (box.innerLo[i]! > box.innerHi[i]!) {
        // Bounds within one ulp of each other: no f64 point is surely admissible, so no witness
        // can be placed (verification is unaffected).
        box.innerLo[i] = Infinity;
        box.innerHi[i] = -Infinity;
      }
    }
    boxes.push(box);
  }
  if (boxes.length === 1) return { ...boxes[0]!, unsafe };
  // A union of boxes: the bounding box outside, the first box's inner box (any of its points is admissible).
  const outer = {
    lo: Array.from({ length: nIn }, (_, i) => Math.min(...boxes.map((b) => b.lo[i]!))),
    hi: Array.from({ length: nIn }, (_, i) => Math.max(...boxes.map((b) => b.hi[i]!))),
  };
  return { ...outer, innerLo: boxes[0]!.innerLo, innerHi: boxes[0]!.innerHi, unsafe, boxes };
}
