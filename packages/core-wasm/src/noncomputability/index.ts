/**
 * Experiment II — existence without computability (SPEC §3): hard pairs, the Δ1 oracle, the
 * algorithm library and plugin interface, and the trial functions.
 */
export type { Algorithm, AlgorithmContext, AlgorithmData, AlgorithmNetwork, AlgorithmOutput, AlgorithmTools, OptimiseOptions, OptimiseResult, ReducedSolution } from './algorithm.js';
export { BUILT_IN_ALGORITHMS, certifiedOrder } from './algorithms.js';
export { dyadicToF64, isExactF64, roundShift } from './dyadic.js';
export { costAndGradInCore, costTs, linearNetwork, optimiseInCore, OPTIMISE_DEFAULTS, probes, reducedSolution, type ProblemShape } from './kernel.js';
export { minimiseSqrtPenalised, sqrtPenalisedValue, type ScalarMinimum } from './minimiser.js';
export { OracleSource, countingOracle, type OracleRead, type ReadStats } from './oracle.js';
export { breakdownEpsilon, hCost, makeHardPair, maxLambda, pairGroundTruth, scaleNumerators, type ExactData, type HardPair, type PairGroundTruth, type PairSign } from './pair.js';
export { NONCOMPUTABILITY_DEFAULTS, NONCOMPUTABILITY_LIMITS, NONCOMPUTABILITY_PARAM_KEYS, normaliseNoncomputabilityParams, type InitScheme, type InnerMethod, type NoncomputabilityParams, type OracleMode } from './params.js';
export { loadPlugin, registerAlgorithm, resolveAlgorithm, validateAlgorithm } from './plugin.js';
export type { Rng as AlgorithmRng } from './rng.js';
export {
  noncomputabilityConstants,
  runNoncomputabilityTrial,
  runNoncomputabilityTrials,
  runNoncomputabilityTrialsAsync,
  type NoncomputabilityConstants,
  type NoncomputabilityPairResult,
  type NoncomputabilityTrialResult,
  type SingleTrialOptions,
  type TrialRange,
} from './trial.js';
