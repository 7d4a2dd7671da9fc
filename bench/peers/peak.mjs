// The f64x2 arithmetic peak of this machine's WebAssembly engine: a hand-assembled module (no
// compiler between us and V8) whose loop updates K independent f64x2 chains a ← a·m + c, i.e. one
// f64x2.mul and one f64x2.add per chain and iteration (4 flops; WebAssembly SIMD has no fused
// multiply-add in Node 20). With enough chains the loop is bound by the FP pipes, not by latency:
// that rate is the roofline the kernels are compared with (suites/roofline.mjs).

const leb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n) => {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const f64 = (x) => [...new Uint8Array(new Float64Array([x]).buffer)];
const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
const SIMD = (op) => [0xfd, ...leb(op)];
const F64X2_SPLAT = 0x14;
const F64X2_EXTRACT = 0x21;
const F64X2_ADD = 0xf0;
const F64X2_MUL = 0xf2;

/**
 * Bytes of a module exporting `peak(iterations: i32) → f64` with `chains` f64x2 chains; it performs
 * 4·chains flops per iteration and returns the sum of all lanes (so nothing is dead code).
 */
export function peakModuleBytes(chains) {
  // locals: param 0 = n; 1..chains = accumulators; chains+1 = m; chains+2 = c
  const M = chains + 1;
  const C = chains + 2;
  const body = [];
  body.push(0x44, ...f64(0.5), ...SIMD(F64X2_SPLAT), 0x21, ...leb(M));
  body.push(0x44, ...f64(1.0), ...SIMD(F64X2_SPLAT), 0x21, ...leb(C));
  for (let i = 1; i <= chains; i++) body.push(0x44, ...f64(i), ...SIMD(F64X2_SPLAT), 0x21, ...leb(i));
  body.push(0x03, 0x40); // loop
  for (let i = 1; i <= chains; i++) {
    body.push(0x20, ...leb(i), 0x20, ...leb(M), ...SIMD(F64X2_MUL), 0x20, ...leb(C), ...SIMD(F64X2_ADD), 0x21, ...leb(i));
  }
  body.push(0x20, 0x00, 0x41, ...sleb(1), 0x6b, 0x22, 0x00); // n = n - 1 (tee)
  body.push(0x0d, 0x00, 0x0b); // br_if 0 (n != 0); end loop
  body.push(0x44, ...f64(0));
  for (let i = 1; i <= chains; i++) {
    for (const lane of [0, 1]) body.push(0x20, ...leb(i), ...SIMD(F64X2_EXTRACT), lane, 0xa0);
  }
  body.push(0x0b);
  const locals = [0x01, ...leb(chains + 2), 0x7b]; // one run of (chains + 2) v128 locals
  const func = [...locals, ...body];
  const code = [0x01, ...leb(func.length), ...func];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7c]), // (i32) -> f64
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x04, ...[...'peak'].map((ch) => ch.charCodeAt(0)), 0x00, 0x00]),
    ...section(10, code),
  ]);
}

/** `peak(iterations)` of a compiled module with `chains` chains, and its flops per iteration. */
export async function peakKernel(chains) {
  const { instance } = await WebAssembly.instantiate(peakModuleBytes(chains));
  return { run: instance.exports.peak, flopsPerIteration: 4 * chains, chains };
}
