// The substreams (Philox counter word c1) the kernels draw from, by use. This is the AssemblyScript
// side of the one table `SUBSTREAM` of src/rng.ts: the names are the TS table's path in upper case
// (`SUBSTREAM.instability.trainSet` = SUBSTREAM_INSTABILITY_TRAIN_SET), and test/abi-tables.test.ts
// reads every constant below from the module's exports and compares it with the TS table. Change a
// number only together with a new results format: every stored result depends on it.

/** Default of a `StreamKey`'s substream (the generic `rng_*` functions take it as an argument). */
export const SUBSTREAM_DATA: u32 = 0;
/** `initNetwork`'s default substream. */
export const SUBSTREAM_INIT: u32 = 1;
/** `train`'s default substream (minibatch order). */
export const SUBSTREAM_MINIBATCH: u32 = 2;

/** Instability trial (stream streamLo = trial t, streamHi = hash32(cell)): the training set T. */
export const SUBSTREAM_INSTABILITY_TRAIN_SET: u32 = 1;
/** Instability trial: the validation set V. */
export const SUBSTREAM_INSTABILITY_VALIDATION_SET: u32 = 2;
/** Instability trial: initialisation of a trained network. */
export const SUBSTREAM_INSTABILITY_INIT: u32 = 3;
/** Instability trial: minibatch order (plain and adversarial training). */
export const SUBSTREAM_INSTABILITY_MINIBATCH: u32 = 4;
/** Instability trial: PGD starts of adversarial training's inner maximisation. */
export const SUBSTREAM_INSTABILITY_ADVERSARIAL_TRAINING: u32 = 5;
/**
 * The attacker's own stream: `attack()`'s default; in a trial and in `inst_attack_points` the
 * attacker is created on it but every attacked point draws from its own substream (below).
 */
export const SUBSTREAM_INSTABILITY_ATTACK: u32 = 6;
/**
 * Point i of T ∪ V (or id i of `inst_attack_points`) draws its attack starts and random search from
 * substream SUBSTREAM_INSTABILITY_POINT_BASE + i; points are < 2^20, so this range meets no other.
 */
export const SUBSTREAM_INSTABILITY_POINT_BASE: u32 = 0x80000000;
