// A worker thread of the two-core comparison in suites/peers-trials.mjs: it loads its own core and,
// on each message { minSeconds }, runs batches of whole trials of its workload (W3 or W4, the
// same cell as the single-core rows) until that much wall time has passed, then replies
// { trials }. Trial indices never repeat across batches.

import { parentPort, workerData } from 'node:worker_threads';
import { loadCore } from '@paradox/core-wasm';
import { runInstabilityTrials } from '@paradox/core-wasm/instability';
import { runNoncomputabilityTrialColumns } from '@paradox/core-wasm/noncomputability';

const core = await loadCore();
const { workload, params, seed, streamHi, count } = workerData;
const fn = workload === 'W3' ? runInstabilityTrials : runNoncomputabilityTrialColumns;
let t = workerData.tStart;

parentPort.on('message', ({ minSeconds }) => {
  const t0 = performance.now();
  let trials = 0;
  do {
    fn(core, params, { seed, streamHi, tStart: t, count });
    t += count;
    trials += count;
  } while (performance.now() - t0 < minSeconds * 1000);
  parentPort.postMessage({ trials });
});
parentPort.postMessage({ ready: true });
