/**
 * Experiment I — the instability dichotomy (SPEC §2): stripes problem, reference networks,
 * attacks, certificates and whole trials. See docs/theory.md, part I.
 */
export {
  normaliseInstabilityParams, INSTABILITY_DEFAULTS, INSTABILITY_PARAM_KEYS, INSTABILITY_METHODS, INSTABILITY_LIMITS, ATTACKS,
  type InstabilityParams, type InstabilityMethod, type NormName,
  type AttackName, type CertMethod, type ScheduleName,
} from './params.js';
export { stripeOf, stripesLabel, boundaryDistance, sampleStripes, type StripesProblem } from './problem.js';
export { shortcutNetwork, stableNetwork } from './networks.js';
export { attack, certify, ATTACK_DEFAULTS, certifiedRadius, type AttackOptions, type AttackResult, type CertifyOptions, type Bounds } from './attack.js';
export {
  runInstabilityTrials, runInstabilityTrial, measureNetwork, type MeasuredTraining, type InstabilityTrialResult, type InstabilityTrialDetail, type RadiusResult,
} from './trial.js';
