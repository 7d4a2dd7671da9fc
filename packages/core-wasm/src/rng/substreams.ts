/**
 * The substream table (its own module so that every area can import it without the loader).
 */
/**
 * Every substream (Philox counter word c1) the package draws from, named by use: the one table.
 * The kernels read the same numbers from assembly/rng/substreams.ts, whose constants are named
 * after the paths below (`instability.trainSet` = `SUBSTREAM_INSTABILITY_TRAIN_SET`);
 * test/abi-tables.test.ts checks that both sides agree. Uses that share a stream never share a
 * substream. (The noncomputability kernels in addition run on a 64-bit key drawn from the
 * `noncomputability.algorithm` stream and number the substreams of that key themselves.)
 */
export const SUBSTREAM = Object.freeze({
  /** The default of `StreamKey.substream` (the `random*` functions); the examples draw their data from it. */
  data: 0,
  /** `initNetwork`'s default (`INIT_DEFAULTS.substream`). */
  init: 1,
  /** `train`'s default (`TRAIN_DEFAULTS.substream`): the minibatch order. */
  minibatch: 2,
  /** `analyse`'s attack randomness (stream = the point's index; drawn in TypeScript). */
  analyse: 3,
  /** An instability trial's stream (seed; streamLo = trial t, streamHi = hash32(cell)). */
  instability: Object.freeze({
    /** The training set T. `sampleStripes` with this substream reproduces it. */
    trainSet: 1,
    /** The validation set V. */
    validationSet: 2,
    /** Initialisation of a trained network. */
    init: 3,
    /** Minibatch order, plain and adversarial training. */
    minibatch: 4,
    /** PGD starts of adversarial training's inner maximisation. */
    adversarialTraining: 5,
    /**
     * The attacker's own stream: `attack()`'s default (`ATTACK_DEFAULTS.substream`). In a trial the
     * attacker is created on it, but every attacked point draws from `pointBase + i`.
     */
    attack: 6,
    /** A training plugin's `ctx.rng` (drawn in TypeScript; src/plugins/training.ts). */
    trainingPlugin: 7,
    /** Point i of T ∪ V draws its attack starts and random search from substream `pointBase + i` (2^31 + i). */
    pointBase: 0x80000000,
  }),
  /** A noncomputability trial's stream (seed; streamLo = trial t, streamHi = hash32(cell)). */
  noncomputability: Object.freeze({
    /** The algorithm's own stream (`ctx.rng`), identical for both signs of a pair. */
    algorithm: 0x0a16,
    /** The hidden bit choosing which sign of a pair runs first. */
    order: 0x0b0d,
    /** The dyadic scales c_j of a run: stream (0, 0) of the run seed, shared by all its cells. */
    scales: 0x5ca1,
  }),
});
