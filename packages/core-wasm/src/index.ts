/**
 * @paradox/core-wasm — typed API over the WebAssembly core: loading, networks, initialisation,
 * training, random streams, piece counting, network import and the error type. The experiments
 * have their own entry points, `@paradox/core-wasm/instability` and
 * `@paradox/core-wasm/noncomputability`. See README.md.
 */
export { CoreError, type CoreErrorCode, type CoreErrorDetails, type CoreErrorOptions, type PathKey } from './errors.js';
export { compileCore, Core, loadCore, type LoadOptions } from './core.js';
export type { WasmSource, WasmTarget } from './internal/module.js';
export { gemm, GEMM_MAX_ELEMENTS } from './linalg.js';
export { createNetwork, layerOffset, paramCount, pieceBound, validateNetwork, LIMITS, type Network } from './network.js';
export { SUBSTREAM, PhiloxStream, philox4x32_10, philoxBlock, randomNormal, randomPermutation, randomU32, randomUniform, type StreamKey, type U64 } from './rng.js';
export { backward, forward, initNetwork, lossAndGradient, INIT_DEFAULTS, type BackwardResult, type Dataset, type InitKind, type InitOptions, type Loss } from './mlp.js';
export { train, TRAIN_DEFAULTS, type Optimizer, type TrainOptions, type TrainResult } from './train.js';
export { countPieces, type PiecesResult } from './pieces.js';
export { networkFromJSON, networkToJSON, NETWORK_FORMAT, type NetworkJSON } from './json.js';
export { trialStream, type TrialKey, type TrialRange } from './trials.js';
export {
  parseCsv, parseNpy, dataFromNpy, parseDataJson, dataFromBytes, makeBox, criterionScore, checkCriterion, dataShape, DATA_FORMAT,
  type InputBox, type Criterion, type CsvOptions, type NpyArray,
} from './io/data.js';
export {
  analyse, analysePoint, checkAnalyseOptions, summariseAnalysis, negateOutputs, ANALYSE_DEFAULTS,
  type AnalyseOptions, type AnalyseResult, type PointAnalysis, type RadiusAccuracy,
} from './analyse/analyse.js';
export { dichotomy, candidateSegments, type DichotomyOptions, type DichotomyResult, type DichotomyWitness } from './analyse/dichotomy.js';
export {
  runTrainingPluginTrial, trialData, loadTrainingPlugin, PLUGIN_SUBSTREAM,
  type TrainingPlugin, type TrainingPluginResult, type PluginNetwork, type TrainingContext, type PluginRng,
} from './plugins/training.js';
export { verify, vnncompResult, ALPHA_STEPS, RELU_SPLIT_MIN_DIMS, type VerifyLimits, type VerifyResult } from './verify/verify.js';
export {
  ballProperty, nextUp, nextDown, type BoxProperty, type LinearConstraint, type PropertyBox, type VerifyCriterion, type VerifyNorm,
} from './verify/property.js';
export { parseVnnlib } from './verify/vnnlib.js';
export { exactRadius, type ExactRadius } from './verify/radius.js';
