// The slot tables of the instability kernels' f64 vectors, by name: the AssemblyScript side of
// src/instability/layout.ts. Every constant is exported from the module (assembly/index.ts) so
// that test/abi-tables.test.ts can compare each table with its TypeScript twin name by name
// (TRIAL_CONFIG_LR here is TRIAL_CONFIG.LR there). Add a slot on both sides; the test fails
// until they agree.

// ---- inst_trial configuration vector (TS: TRIAL_CONFIG, written by encodeConfig) ----
export const TRIAL_CONFIG_D: i32 = 0;
export const TRIAL_CONFIG_M: i32 = 1;
export const TRIAL_CONFIG_DELTA: i32 = 2;
export const TRIAL_CONFIG_MU: i32 = 3;
export const TRIAL_CONFIG_FINITE_M: i32 = 4;
export const TRIAL_CONFIG_R: i32 = 5;
export const TRIAL_CONFIG_S: i32 = 6;
export const TRIAL_CONFIG_METHOD: i32 = 7;
export const TRIAL_CONFIG_BIAS: i32 = 8;
export const TRIAL_CONFIG_LOSS: i32 = 9;
export const TRIAL_CONFIG_OPT: i32 = 10;
export const TRIAL_CONFIG_LR: i32 = 11;
export const TRIAL_CONFIG_BETA: i32 = 12;
export const TRIAL_CONFIG_BETA2: i32 = 13;
export const TRIAL_CONFIG_EPS: i32 = 14;
export const TRIAL_CONFIG_L1: i32 = 15;
export const TRIAL_CONFIG_L2: i32 = 16;
export const TRIAL_CONFIG_EPOCHS: i32 = 17;
export const TRIAL_CONFIG_BATCH: i32 = 18;
export const TRIAL_CONFIG_INIT: i32 = 19;
export const TRIAL_CONFIG_INIT_SCALE: i32 = 20;
export const TRIAL_CONFIG_RHO_TRAIN: i32 = 21;
export const TRIAL_CONFIG_ADV_STEPS: i32 = 22;
export const TRIAL_CONFIG_VAR_C: i32 = 23;
export const TRIAL_CONFIG_VAR_DEPTH: i32 = 24;
export const TRIAL_CONFIG_VAR_ADV: i32 = 25;
export const TRIAL_CONFIG_NORM: i32 = 26;
export const TRIAL_CONFIG_ATTACKS: i32 = 27;
export const TRIAL_CONFIG_PGD_STEPS: i32 = 28;
export const TRIAL_CONFIG_PGD_RESTARTS: i32 = 29;
export const TRIAL_CONFIG_SCHEDULE: i32 = 30;
export const TRIAL_CONFIG_FMN_STEPS: i32 = 31;
export const TRIAL_CONFIG_BISECT_ITERS: i32 = 32;
export const TRIAL_CONFIG_RS_QUERIES: i32 = 33;
export const TRIAL_CONFIG_DF_ITERS: i32 = 34;
export const TRIAL_CONFIG_CERT: i32 = 35;
export const TRIAL_CONFIG_DIRECTED: i32 = 36;
export const TRIAL_CONFIG_CERT_ITERS: i32 = 37;
export const TRIAL_CONFIG_SHUFFLE: i32 = 38;
export const TRIAL_CONFIG_SIZE: i32 = 39;

// ---- methods (TS: the order of InstabilityMethod in INSTABILITY_METHODS) ----
export const TRIAL_METHOD_TRAIN: i32 = 0;
export const TRIAL_METHOD_ADV_TRAIN: i32 = 1;
export const TRIAL_METHOD_TRAIN_VARIABLE: i32 = 2;
export const TRIAL_METHOD_CONSTRUCT_STABLE: i32 = 3;
export const TRIAL_METHOD_SHORTCUT: i32 = 4;

// ---- inst_trial result vector (TS: TRIAL_RESULT): SIZE fixed slots, then for radius q the
// robust accuracy by attack at SIZE + 2q and by certificate at SIZE + 2q + 1 ----
export const TRIAL_RESULT_TRAIN_ACC: i32 = 0;
export const TRIAL_RESULT_VAL_ACC: i32 = 1;
export const TRIAL_RESULT_ACCURATE: i32 = 2;
export const TRIAL_RESULT_UNSTABLE_SHARE: i32 = 3;
export const TRIAL_RESULT_ATTACK_MIN: i32 = 4;
export const TRIAL_RESULT_ATTACK_MED: i32 = 5;
export const TRIAL_RESULT_CERT_MIN: i32 = 6;
export const TRIAL_RESULT_CERT_MED: i32 = 7;
export const TRIAL_RESULT_GAP_MED: i32 = 8;
export const TRIAL_RESULT_PIECES: i32 = 9;
export const TRIAL_RESULT_PIECE_BOUND: i32 = 10;
export const TRIAL_RESULT_STRIPES: i32 = 11;
export const TRIAL_RESULT_WIDTH: i32 = 12;
export const TRIAL_RESULT_F3_APPLIES: i32 = 13;
export const TRIAL_RESULT_F3_HOLDS: i32 = 14;
export const TRIAL_RESULT_F3_WITNESSES: i32 = 15;
export const TRIAL_RESULT_F3_PREDICTED: i32 = 16;
export const TRIAL_RESULT_DIVERGED: i32 = 17;
export const TRIAL_RESULT_DATA_WRONG_STRIPES: i32 = 18;
export const TRIAL_RESULT_F4_STRIPES: i32 = 19;
export const TRIAL_RESULT_FINAL_LOSS: i32 = 20;
export const TRIAL_RESULT_NPARAMS: i32 = 21;
export const TRIAL_RESULT_LABEL_CHANGES: i32 = 22;
export const TRIAL_RESULT_CONTRADICTIONS: i32 = 23;
export const TRIAL_RESULT_LEMMA_PREDICTED: i32 = 24;
export const TRIAL_RESULT_EVALS: i32 = 25;
export const TRIAL_RESULT_NDIMS: i32 = 26;
/** Points whose best witness was nudged outward to be confirmed in exact arithmetic (witness.ts). */
export const TRIAL_RESULT_WIT_NUDGED: i32 = 27;
/** Points whose witness could not be confirmed (upper end from Lemma B), or wrong in f64 only. */
export const TRIAL_RESULT_WIT_DROPPED: i32 = 28;
export const TRIAL_RESULT_SIZE: i32 = 29;

// ---- inst_attack options vector (TS: ATTACK_OPTIONS, written by attack()) ----
export const ATTACK_OPTIONS_EPS: i32 = 0;
export const ATTACK_OPTIONS_STEPS: i32 = 1;
export const ATTACK_OPTIONS_RESTARTS: i32 = 2;
export const ATTACK_OPTIONS_SCHEDULE: i32 = 3;
export const ATTACK_OPTIONS_RANDOM_START: i32 = 4;
export const ATTACK_OPTIONS_QUERIES: i32 = 5;
export const ATTACK_OPTIONS_BISECT_ITERS: i32 = 6;
export const ATTACK_OPTIONS_OVERSHOOT: i32 = 7;
export const ATTACK_OPTIONS_SEED_LO: i32 = 8;
export const ATTACK_OPTIONS_SEED_HI: i32 = 9;
export const ATTACK_OPTIONS_STREAM_LO: i32 = 10;
export const ATTACK_OPTIONS_STREAM_HI: i32 = 11;
export const ATTACK_OPTIONS_SUBSTREAM: i32 = 12;
export const ATTACK_OPTIONS_SIZE: i32 = 13;

// ---- inst_attack_points plan vector (TS: ATTACK_PLAN) ----
export const ATTACK_PLAN_MASK: i32 = 0;
export const ATTACK_PLAN_STEPS: i32 = 1;
export const ATTACK_PLAN_RESTARTS: i32 = 2;
export const ATTACK_PLAN_SCHEDULE: i32 = 3;
export const ATTACK_PLAN_RANDOM_START: i32 = 4;
export const ATTACK_PLAN_FMN_STEPS: i32 = 5;
export const ATTACK_PLAN_DF_ITERS: i32 = 6;
export const ATTACK_PLAN_BISECT_ITERS: i32 = 7;
export const ATTACK_PLAN_QUERIES: i32 = 8;
export const ATTACK_PLAN_MU: i32 = 9;
export const ATTACK_PLAN_SIZE: i32 = 10;
