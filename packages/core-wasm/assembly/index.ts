// Entry point of the WebAssembly module: re-exports every kernel area. The public API is the
// typed TypeScript wrapper in ../src; these raw exports are an implementation detail.

export * from "./memory";

/** Version of the kernel ABI; the wrapper refuses a module whose ABI differs. */
export function abi_version(): i32 {
  return 1;
}
export * from "./linalg/exports";
export * from "./rng/exports";
// The ABI tables (substreams, configuration slots) as exported constants, so that
// test/abi-tables.test.ts can check them against the TypeScript tables by name.
export * from "./rng/substreams";
export * from "./train/slots";
export * from "./instability/slots";
export * from "./nn/exports";
export * from "./train/exports";
export * from "./instability/exports";
export * from "./noncomputability/exports";
export * from "./pieces/exports";
export * from "./certify/exports";
