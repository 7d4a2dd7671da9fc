// core-wasm side of the MLP peer workloads, through the public API users call: `train()` runs
// the whole training in one WebAssembly call (validation and copies in/out included in the time).

import { train } from '@paradox/core-wasm';

/** Full-batch GD with mse for `w.steps` steps from `w.params`; returns the trained parameters. */
export function coreTrainMlp(core, w) {
  const net = { dims: w.dims, bias: true, params: w.params };
  const r = train(core, net, { x: w.x, y: w.y }, { loss: 'mse', optimizer: 'sgd', lr: w.lr, epochs: w.steps, batchSize: 0 });
  if (r.status !== 'completed') throw new Error(`core-wasm training diverged on ${w.id} after ${r.steps} steps`);
  return r.network.params;
}
