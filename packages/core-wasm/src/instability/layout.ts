/**
 * The slot tables of the instability kernels' f64 vectors, by name: the TypeScript side of
 * assembly/instability/slots.ts. test/abi-tables.test.ts reads every `TRIAL_CONFIG_*`,
 * `TRIAL_RESULT_*`, `ATTACK_OPTIONS_*` and `ATTACK_PLAN_*` constant exported by the module and
 * checks it against these tables name by name (and the `TRIAL_METHOD_*` codes against
 * `INSTABILITY_METHODS`). Writers fill the vectors by name (`slotVector`), never positionally.
 */
import { slotTable } from '../internal/slots.js';

/** `inst_trial` configuration vector, written by `encodeConfig`. */
export const TRIAL_CONFIG = slotTable([
  'D', 'M', 'DELTA', 'MU', 'FINITE_M', 'R', 'S', 'METHOD', 'BIAS', 'LOSS', 'OPT', 'LR', 'BETA', 'BETA2', 'EPS', 'L1',
  'L2', 'EPOCHS', 'BATCH', 'INIT', 'INIT_SCALE', 'RHO_TRAIN', 'ADV_STEPS', 'VAR_C', 'VAR_DEPTH', 'VAR_ADV', 'NORM',
  'ATTACKS', 'PGD_STEPS', 'PGD_RESTARTS', 'SCHEDULE', 'FMN_STEPS', 'BISECT_ITERS', 'RS_QUERIES', 'DF_ITERS', 'CERT',
  'DIRECTED', 'CERT_ITERS', 'SHUFFLE',
]);

/**
 * `inst_trial` result vector: `SIZE` fixed slots, then for radius q the robust accuracy by attack
 * at `SIZE + 2q` and by certificate at `SIZE + 2q + 1` (`inst_trial_result_size` gives the length).
 */
export const TRIAL_RESULT = slotTable([
  'TRAIN_ACC', 'VAL_ACC', 'ACCURATE', 'UNSTABLE_SHARE', 'ATTACK_MIN', 'ATTACK_MED', 'CERT_MIN', 'CERT_MED', 'GAP_MED',
  'PIECES', 'PIECE_BOUND', 'STRIPES', 'WIDTH', 'F3_APPLIES', 'F3_HOLDS', 'F3_WITNESSES', 'F3_PREDICTED', 'DIVERGED',
  'DATA_WRONG_STRIPES', 'F4_STRIPES', 'FINAL_LOSS', 'NPARAMS', 'LABEL_CHANGES', 'CONTRADICTIONS', 'LEMMA_PREDICTED',
  'EVALS', 'NDIMS', 'WIT_NUDGED', 'WIT_DROPPED',
]);

/** `inst_attack` options vector, written by `attack()`. */
export const ATTACK_OPTIONS = slotTable([
  'EPS', 'STEPS', 'RESTARTS', 'SCHEDULE', 'RANDOM_START', 'QUERIES', 'BISECT_ITERS', 'OVERSHOOT', 'SEED_LO', 'SEED_HI',
  'STREAM_LO', 'STREAM_HI', 'SUBSTREAM',
]);

/** `inst_attack_points` plan vector (the attack phase of a trial on explicit points). */
export const ATTACK_PLAN = slotTable([
  'MASK', 'STEPS', 'RESTARTS', 'SCHEDULE', 'RANDOM_START', 'FMN_STEPS', 'DF_ITERS', 'BISECT_ITERS', 'QUERIES', 'MU',
]);
