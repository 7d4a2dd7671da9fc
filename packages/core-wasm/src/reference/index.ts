/**
 * `@paradox/core-wasm/reference`: a plain-TypeScript implementation of the MLP forward/backward
 * and training, independent of the WebAssembly kernels. It exists to cross-check the kernels in
 * tests and as the baseline of the training benchmark; use the main entry point for real work.
 * Names are the main entry point's: `referenceTrain(net, data, options)` takes `TrainOptions` and
 * `TRAIN_DEFAULTS` like `train`, losses are `Loss`.
 */
export {
  referenceForward,
  referenceBackward,
  referenceLossAndGradient,
  referenceLossValue,
  referenceLossGrad,
} from './mlp.js';
export { referenceTrain, type RefTrainResult } from './train.js';
