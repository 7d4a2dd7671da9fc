// Memory reuse: a trial frees every block it allocates. The probe (mem_live_bytes, assembly/memory.ts)
// counts the bytes of used heap blocks after a full collection, so a leak of a few hundred bytes
// per trial shows at once; counting 64 KiB memory pages would hide it for hundreds of trials.
// Caches that grow to the largest size a trial needed so far are allowed (one instability trial in
// three grows one by 800 bytes the first time), so each case runs a batch once and then the same
// batch again: a rerun of the same trials needs nothing new, and any growth is a leak.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCore, type Core } from '../src/index.js';
import { measureNetwork, runInstabilityTrial, runInstabilityTrials } from '../src/instability/index.js';
import { runNoncomputabilityTrials } from '../src/noncomputability/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const live = (): number => {
  const bytes = core.raw.exports.mem_live_bytes();
  expect(bytes, 'the heap walk did not end on the allocator tail').toBeGreaterThanOrEqual(0);
  return bytes;
};

describe('heap probe', () => {
  it('sees a 768-byte block allocated and freed', () => {
    const before = live();
    const ptr = core.raw.exports.mem_alloc(768);
    const held = live();
    core.raw.exports.mem_free(ptr);
    expect(held - before).toBeGreaterThanOrEqual(768);
    expect(held - before).toBeLessThan(768 + 64);
    expect(live()).toBe(before);
  });
});

const small = { m: 6, r: 32, s: 16, hidden: [4, 4], epochs: 40, pgdSteps: 10, fmnSteps: 20, randomQueries: 30 };
const BATCH = 3;
const REPEATS = 4;

/** A network to measure: a trained one, as a training plugin or a network file would give it. */
const given = (): ReturnType<typeof runInstabilityTrial>['network'] => runInstabilityTrial(core, { ...small, method: 'train' }, { seed: 2, streamHi: 0, trial: 0 }).network;

const cases: [string, () => unknown][] = [
  [
    'instability measureNetwork (a given network)',
    () => {
      const net = given();
      for (let t = 0; t < BATCH; t++) measureNetwork(core, small, { seed: 1, streamHi: 0, trial: t }, net, { finalLoss: 0.5 });
    },
  ],
  ...(['train', 'adversarial-train', 'train-variable'] as const).map(
    (method): [string, () => unknown] => [
      `instability ${method}`,
      () => runInstabilityTrials(core, { ...small, method }, { seed: 1, streamHi: 0, tStart: 0, count: BATCH }),
    ],
  ),
  ...(['gd', 'coin'] as const).map((algorithm): [string, () => unknown] => [
    `noncomputability ${algorithm}`,
    () => runNoncomputabilityTrials(core, { algorithm, K: 4, readBits: 3, steps: 20, samples: 4 }, { seed: 1, streamHi: 0, tStart: 0, count: BATCH }),
  ]),
];

describe('memory is reused across trials', () => {
  it.each(cases)('%s: the same batch run again leaves the heap as it was', (_, run) => {
    run();
    const before = live();
    for (let b = 0; b < REPEATS; b++) run();
    const grown = live() - before;
    expect(grown, `heap grew by ${grown} bytes over ${REPEATS * BATCH} trials`).toBe(0);
  });
});
