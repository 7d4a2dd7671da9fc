// The slots of the training kernel's f64 configuration vector (`mlpTrain`), by name: the
// AssemblyScript side of TRAIN_CONFIG in src/train.ts. Exported from the module (assembly/index.ts)
// so that test/abi-tables.test.ts can compare both tables name by name.

/** Indices of the f64 training configuration array (shared with the TypeScript wrapper). */
export const TRAIN_CONFIG_LOSS: i32 = 0;
export const TRAIN_CONFIG_OPT: i32 = 1;
export const TRAIN_CONFIG_LR: i32 = 2;
/** Momentum β (momentum) or β1 (adam). */
export const TRAIN_CONFIG_BETA: i32 = 3;
export const TRAIN_CONFIG_BETA2: i32 = 4;
export const TRAIN_CONFIG_EPS: i32 = 5;
export const TRAIN_CONFIG_L1: i32 = 6;
export const TRAIN_CONFIG_L2: i32 = 7;
export const TRAIN_CONFIG_EPOCHS: i32 = 8;
/** Minibatch size; ≥ n (or 0) means full batch. */
export const TRAIN_CONFIG_BATCH: i32 = 9;
/** Shuffle the points at the start of every epoch (minibatch only): 1 or 0. */
export const TRAIN_CONFIG_SHUFFLE: i32 = 10;
export const TRAIN_CONFIG_SEED_LO: i32 = 11;
export const TRAIN_CONFIG_SEED_HI: i32 = 12;
export const TRAIN_CONFIG_SUBSTREAM: i32 = 13;
export const TRAIN_CONFIG_STREAM_LO: i32 = 14;
export const TRAIN_CONFIG_STREAM_HI: i32 = 15;
/** Number of entries of the configuration array. */
export const TRAIN_CONFIG_SIZE: i32 = 16;
