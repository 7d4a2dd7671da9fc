/**
 * Experiment II — existence without computability (SPEC §3): hard pairs, the Δ1 oracle, the
 * algorithm library and plugin interface, and the trial functions.
 */
export type { Algorithm, AlgorithmContext, AlgorithmData, AlgorithmNetwork, AlgorithmOutput, AlgorithmTools, OptimiseOptions, OptimiseResult, OracleRead, ReducedSolution } from './algorithm.js';
export { BUILT_IN_ALGORITHMS } from './algorithms.js';
export { OPTIMISE_DEFAULTS } from './kernel.js';
export type { ReadStats } from './oracle.js';
export { breakdownEpsilon, makeHardPair, pairGroundTruth, type ExactData, type HardPair, type PairGroundTruth, type PairSign } from './pair.js';
export { NONCOMPUTABILITY_DEFAULTS, NONCOMPUTABILITY_LIMITS, NONCOMPUTABILITY_PARAM_KEYS, normaliseNoncomputabilityParams, type InnerMethod, type NoncomputabilityParams, type OracleMode } from './params.js';
export { loadPlugin, registerAlgorithm, resolveAlgorithm, validateAlgorithm } from './plugin.js';
export type { Rng as AlgorithmRng } from './rng.js';
export {
  noncomputabilityConstants,
  runNoncomputabilityTrial,
  runNoncomputabilityTrialColumns,
  runNoncomputabilityTrialColumnsAsync,
  runNoncomputabilityTrials,
  runNoncomputabilityTrialsAsync,
  type NoncomputabilityConstants,
  type NoncomputabilityPairResult,
  type NoncomputabilitySideColumns,
  type NoncomputabilityTrialColumns,
  type NoncomputabilityTrialResult,
  type SingleTrialOptions,
  type NoncomputabilityTrialRange,
} from './trial.js';
