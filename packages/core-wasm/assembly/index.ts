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
export {
  CFG_METHOD as OPTIMISE_CONFIG_METHOD, CFG_STEPS as OPTIMISE_CONFIG_STEPS, CFG_LR as OPTIMISE_CONFIG_LR,
  CFG_LAMBDA as OPTIMISE_CONFIG_LAMBDA, CFG_INIT as OPTIMISE_CONFIG_INIT, CFG_INIT_SCALE as OPTIMISE_CONFIG_INIT_SCALE,
  CFG_BATCH as OPTIMISE_CONFIG_BATCH, CFG_BETA1 as OPTIMISE_CONFIG_BETA1, CFG_BETA2 as OPTIMISE_CONFIG_BETA2,
  CFG_ADAM_EPS as OPTIMISE_CONFIG_ADAM_EPS, CFG_T0 as OPTIMISE_CONFIG_T0, CFG_T1 as OPTIMISE_CONFIG_T1,
  CFG_SIGMA as OPTIMISE_CONFIG_SIGMA, CFG_RESTARTS as OPTIMISE_CONFIG_RESTARTS, CFG_KEY_LO as OPTIMISE_CONFIG_KEY_LO,
  CFG_KEY_HI as OPTIMISE_CONFIG_KEY_HI, CFG_SIZE as OPTIMISE_CONFIG_SIZE,
  OUT_COST as OPTIMISE_RESULT_COST, OUT_STEPS as OPTIMISE_RESULT_STEPS, OUT_DIVERGED as OPTIMISE_RESULT_DIVERGED,
  OUT_BEST_RESTART as OPTIMISE_RESULT_BEST_RESTART, OUT_SIZE as OPTIMISE_RESULT_SIZE,
} from "./noncomputability/optimise";
export * from "./nn/exports";
export * from "./train/exports";
export * from "./instability/exports";
export * from "./noncomputability/exports";
export * from "./pieces/exports";
export * from "./certify/exports";
