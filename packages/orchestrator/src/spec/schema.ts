/**
 * The sweep spec schema: the single source of truth for validating a spec and for documenting it
 * (`specJsonSchema()` renders it, with every field's description, as JSON Schema). Every leaf
 * carries an "allowed" text used verbatim in error messages, so an error always reads
 * `path: expected <allowed>, got <value>`.
 *
 * Cell parameters (inside grid, zip and fixed) are validated per experiment by the experiment's
 * own validator in core-wasm (see experiments/registry.ts), after this schema has checked the
 * structure.
 */
import { z } from 'zod';

/** Largest seed: seeds are integers below 2^53 so that JSON and JavaScript numbers keep them exact. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;
/** Upper bound of trials per cell (and sign), any rule. */
export const MAX_TRIALS = 1_000_000_000;
/** Upper bound of trials per batch. */
export const MAX_BATCH = 1 << 20;
/** Upper bound of cells in one sweep. */
export const MAX_CELLS = 100_000;

const msg = (allowed: string) => ({ error: allowed });

function int(lo: number, hi: number, doc: string, allowed = `an integer in [${lo}, ${hi}]`) {
  return z.number(msg(allowed)).int(msg(allowed)).min(lo, msg(allowed)).max(hi, msg(allowed)).describe(doc);
}

function openUnit(doc: string, lo = 0, hi = 1) {
  const allowed = `a number strictly between ${lo} and ${hi}`;
  return z.number(msg(allowed)).gt(lo, msg(allowed)).lt(hi, msg(allowed)).describe(doc);
}

const paramName = /^[A-Za-z][A-Za-z0-9_]*$/;
const PARAM_NAME = 'a parameter name (letters, digits, _; starting with a letter)';

/** A JSON value (cell parameters are arbitrary JSON; the experiment validates them). */
const json: z.ZodType<unknown> = z.lazy(() =>
  z.union(
    [
      z.string(),
      z.number().refine(Number.isFinite),
      z.boolean(),
      z.null(),
      z.array(json),
      z.record(z.string(), json),
    ],
    msg('a JSON value (string, finite number, boolean, null, list or mapping)'),
  ),
);

const axisValues = z
  .array(json, msg('a non-empty list of values'))
  .min(1, msg('a non-empty list of values'))
  .max(10_000, msg('a list of at most 10000 values'));

const axes = (doc: string) =>
  z
    .record(z.string().regex(paramName, msg(PARAM_NAME)), axisValues, msg('a mapping from parameter name to a list of values'))
    .describe(doc);

const minTrials = int(1, MAX_TRIALS, 'No decision before this many trials.').optional();
const maxTrials = int(1, MAX_TRIALS, 'Hard cap of trials per cell and sign; the cell stops undecided there.').default(100_000);
const checkEvery = int(1, MAX_TRIALS, 'The rule is evaluated every this many trials (checkpoints): the same trials whatever the batch size.').default(1000);
const halfWidth = openUnit('Target half-width of every tracked interval.', 0, 0.5);

const STOP_RULES = 'one of: fixed, ci-halfwidth, sprt, confidence-sequence';

/** `stop:` — a stopping rule, evaluated per cell at checkpoints. */
export const stopSchema = z
  .discriminatedUnion(
    'rule',
    [
      z
        .strictObject(
          {
            rule: z.literal('fixed', msg(STOP_RULES)),
            trials: int(1, MAX_TRIALS, 'Trials per cell and sign.'),
          },
          { error: (i) => (i.code === 'unrecognized_keys' ? 'only the keys rule, trials' : 'a mapping') },
        )
        .describe('Run exactly `trials` trials. Guarantee: every interval has its nominal coverage.'),
      z
        .strictObject(
          { rule: z.literal('ci-halfwidth', msg(STOP_RULES)), halfWidth, minTrials, maxTrials, checkEvery },
          { error: (i) => (i.code === 'unrecognized_keys' ? 'only the keys rule, halfWidth, minTrials, maxTrials, checkEvery' : 'a mapping') },
        )
        .describe(
          'Stop at the first checkpoint where every tracked Clopper–Pearson interval has half-width ≤ halfWidth. ' +
            'A precision target: the stopping time depends on the data, so the reported fixed-n intervals are nominal, ' +
            'not guaranteed; use confidence-sequence when the guarantee must survive early stopping.',
        ),
      z
        .strictObject(
          {
            rule: z.literal('sprt', msg(STOP_RULES)),
            delta: openUnit('H0: p ≥ 1/2 + delta against H1: p ≤ 1/2.', 0, 0.5).default(0.1),
            alpha: openUnit('Probability of rejecting H0 when it holds (deciding "no better than 1/2" wrongly).', 0, 0.5).default(0.05),
            beta: openUnit('Probability of accepting H0 when H1 holds.', 0, 0.5).default(0.05),
            minTrials,
            maxTrials,
            checkEvery,
          },
          { error: (i) => (i.code === 'unrecognized_keys' ? 'only the keys rule, delta, alpha, beta, minTrials, maxTrials, checkEvery' : 'a mapping') },
        )
        .describe(
          "Wald's sequential probability ratio test on every tracked proportion, thresholds 1/alpha and beta on the " +
            'likelihood ratio. By Ville\'s inequality P(reject H0 | H0) ≤ alpha and P(accept H0 | H1) ≤ beta for every ' +
            'stopping time, so checking only at checkpoints keeps the guarantee. The cell stops when every proportion is decided.',
        ),
      z
        .strictObject(
          { rule: z.literal('confidence-sequence', msg(STOP_RULES)), halfWidth, minTrials, maxTrials, checkEvery },
          { error: (i) => (i.code === 'unrecognized_keys' ? 'only the keys rule, halfWidth, minTrials, maxTrials, checkEvery' : 'a mapping') },
        )
        .describe(
          'Stop when every tracked proportion\'s anytime-valid confidence sequence (beta-binomial mixture martingale) is ' +
            'within ±halfWidth. Guarantee: P(p outside its sequence at any time) ≤ 1 − confidence, so the reported `cs` ' +
            'intervals stay valid at the data-dependent stopping time.',
        ),
    ],
    msg(STOP_RULES),
  )
  .describe('A stopping rule (instead of `trials`).');

/** The whole sweep spec as users write it. Unknown keys are errors. */
export const specSchema = z
  .strictObject(
    {
      name: z
        .string(msg('a non-empty single-line string of at most 200 characters'))
        .min(1, msg('a non-empty single-line string of at most 200 characters'))
        .max(200, msg('a non-empty single-line string of at most 200 characters'))
        .regex(/^[^\n\r]*$/, msg('a non-empty single-line string of at most 200 characters'))
        .optional()
        .describe('Run name, shown in reports (default: the spec file name, or "sweep").'),
      experiment: z
        .enum(['noncomputability', 'instability', 'analyse', 'verify'], msg('one of: noncomputability, instability, analyse, verify'))
        .describe('Experiment family (SPEC §2, §3).'),
      seed: int(0, MAX_SEED, 'Sweep seed: the Philox key of every trial.', `an integer in [0, 2^53 − 1]`).default(0),
      grid: axes('Cartesian axes: every combination is a cell; the first axis varies slowest.').default({}),
      zip: axes('Paired axes: equal-length lists whose i-th values go together; varies fastest.').default({}),
      fixed: z
        .record(z.string().regex(paramName, msg(PARAM_NAME)), json, msg('a mapping from parameter name to value'))
        .default({})
        .describe('Parameters shared by every cell.'),
      trials: int(1, MAX_TRIALS, 'Trials per cell and sign (shorthand for stop: {rule: fixed, trials}).').optional(),
      stop: stopSchema.optional(),
      confidence: openUnit('Confidence level of every reported interval.', 0.5, 1).default(0.95),
      backend: z.enum(['local', 'bullmq'], msg('one of: local, bullmq')).default('local').describe('Execution backend (not part of the spec hash).'),
      workers: z
        .union([z.literal('auto', msg('auto or an integer in [1, 1024]')), int(1, 1024, '', 'auto or an integer in [1, 1024]')], msg('auto or an integer in [1, 1024]'))
        .default('auto')
        .describe('Worker threads (auto = available cores). Not part of the spec hash.'),
      batch: z
        .union([z.literal('auto', msg(`auto or an integer in [1, ${MAX_BATCH}]`)), int(1, MAX_BATCH, '', `auto or an integer in [1, ${MAX_BATCH}]`)], msg(`auto or an integer in [1, ${MAX_BATCH}]`))
        .default('auto')
        .describe('Trials per batch (auto = sized to ~100 ms by a calibration batch). Never changes results. Not part of the spec hash.'),
      batchTimeout: z
        .number(msg('a number of seconds in (0, 86400]'))
        .positive(msg('a number of seconds in (0, 86400]'))
        .max(86_400, msg('a number of seconds in (0, 86400]'))
        .optional()
        .describe('Wall-clock limit of one batch in seconds; past it the batch is stopped and the run fails naming it (default: 20× the cell\'s median batch time, at least 10 s). Not part of the spec hash.'),
      redis: z
        .string(msg('a Redis URL such as redis://host:6379 or rediss://host:6380'))
        .regex(/^rediss?:\/\/\S+$/, msg('a Redis URL such as redis://host:6379 or rediss://host:6380'))
        .optional()
        .describe('Redis URL for backend: bullmq (the --redis option overrides it). Not part of the spec hash; stored without its password.'),
    },
    {
      error: (i) =>
        i.code === 'unrecognized_keys'
          ? 'one of the keys: name, experiment, seed, grid, zip, fixed, trials, stop, confidence, backend, workers, batch, batchTimeout, redis'
          : 'a mapping (YAML or JSON object)',
    },
  )
  .describe('A paradox sweep spec (SPEC §4.1).');

/** The parsed (not yet normalised) spec. */
export type ParsedSpec = z.output<typeof specSchema>;

/** The schema as JSON Schema (draft 2020-12), for documentation and editors. */
export function specJsonSchema(): unknown {
  return z.toJSONSchema(specSchema, { io: 'input', unrepresentable: 'any' });
}
