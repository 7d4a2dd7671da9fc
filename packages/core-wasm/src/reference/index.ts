/**
 * `@paradox/core-wasm/reference`: a plain-TypeScript implementation of the MLP forward/backward
 * and training, independent of the WebAssembly kernels. It exists to cross-check the kernels in
 * tests and as the baseline of the training benchmark; use the main entry point for real work.
 */
export {
  referenceForward,
  referenceBackward,
  referenceLossAndGradient,
  referenceLossValue,
  referenceLossGrad,
  type RefLoss,
} from './mlp.js';
export { referenceTrain, type RefTrainOptions, type RefTrainResult } from './train.js';
