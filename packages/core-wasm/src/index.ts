/**
 * @paradox/core-wasm — typed API over the WebAssembly core. See README.md.
 */
export { CoreError, type CoreErrorCode } from './errors.js';
export { Core, loadCore, type LoadOptions } from './core.js';
export type { WasmSource, WasmTarget } from './internal/module.js';
export { gemm, GEMM_MAX_ELEMENTS } from './linalg.js';
export * from './noncomputability/index.js';
