// The measurement stage of an instability trial on a given network: the trial's data T and V
// (sampleData), then finishRun — the very stage a built-in method's trial ends with (trial.ts), so
// a network trained elsewhere (a training plugin's, or a network file) gets every column a built-in
// method gets, from the same attack and certification streams.

import { Net } from "./net";
import { TrialRun, sampleData, finishRun } from "./trial";
import { mlpParamCount } from "../nn/mlp";
import { ERR_SHAPE } from "../errors";
import { TRIAL_CONFIG_D } from "./slots";
import { at } from "./vec";

/**
 * Measure the network (dims/nDims, bias, params) on the trial (seed, streamLo, streamHi) of the
 * configuration `cfg` exactly as `inst_trial` measures its own network: `out` gets
 * inst_trial_result_size(nRadii) values (TRIAL_RESULT_*). `finalLoss` is reported as the trial's
 * final training loss (NaN: not known); `trainedOk` = 0 records a training that did not complete
 * (nothing is measured, as for a diverged built-in trial). Detail outputs as for `inst_trial`
 * (0 to skip). The network must map d inputs to one output (ERR_SHAPE otherwise); `params` is
 * copied, not changed.
 */
export function inst_measure_network(
  cfg: usize, dims: usize, nDims: i32, bias: i32, params: usize, finalLoss: f64, trainedOk: i32,
  radii: usize, nRadii: i32, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32, out: usize,
  xOut: usize, yOut: usize, certOut: usize, atkOut: usize, etaOut: usize,
): void {
  const d = <i32>at(cfg, TRIAL_CONFIG_D);
  if (nDims < 2 || load<i32>(dims) != d || load<i32>(dims + (<usize>(nDims - 1) << 2)) != 1) throw new Error(ERR_SHAPE);
  const data = sampleData(cfg, seedLo, seedHi, streamLo, streamHi);
  heap.free(data.seen);
  const netDims = new StaticArray<i32>(nDims);
  for (let i = 0; i < nDims; i++) netDims[i] = load<i32>(dims + (<usize>i << 2));
  const hasBias = bias != 0;
  const P = mlpParamCount(changetype<usize>(netDims), nDims - 1, hasBias);
  const own = heap.alloc(<usize>P << 3);
  memory.copy(own, params, <usize>P << 3);
  const net = new Net(changetype<usize>(netDims), nDims, hasBias, own);
  const run = new TrialRun(data.s, data.r, data.sv, data.X, data.Y, netDims, hasBias, P, own, net, data.changes, streamLo);
  run.trained.finalLoss = finalLoss;
  run.trained.ok = trainedOk != 0;
  finishRun(run, cfg, radii, nRadii, seedLo, seedHi, streamHi, out, xOut, yOut, certOut, atkOut, etaOut, 0, 0, 0, 0);
}
