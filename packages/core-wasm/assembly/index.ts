// Entry point of the WebAssembly module: re-exports every kernel area. The public API is the
// typed TypeScript wrapper in ../src; these raw exports are an implementation detail.

export * from "./memory";

/** Version of the kernel ABI; the wrapper refuses a module whose ABI differs. */
export function abi_version(): i32 {
  return 1;
}
export * from "./linalg/exports";
export * from "./rng/exports";
export * from "./nn/exports";
export * from "./train/exports";
export * from "./instability/exports";
export * from "./noncomputability/exports";
export * from "./pieces/exports";
