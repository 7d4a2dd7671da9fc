/**
 * Vitest setup file for every package: fast-check properties run from a fixed seed, so a test run
 * is reproducible and CI cannot fail on a case that no one can replay. Explore new cases with
 * `FC_SEED=random` (a fresh seed per assertion, printed with any counterexample) or a chosen
 * integer `FC_SEED=123`.
 */
import fc from 'fast-check';

/** The default seed of every property (the project's start date). */
export const DEFAULT_FC_SEED = 20261125;

const chosen = process.env.FC_SEED;
if (chosen !== 'random') {
  const seed = chosen === undefined || chosen === '' ? DEFAULT_FC_SEED : Number(chosen);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED: expected an integer or "random", got ${JSON.stringify(chosen)}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
