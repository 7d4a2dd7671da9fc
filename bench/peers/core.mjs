// core-wasm side of the peer workloads: the same jobs the peers run, through the core.
//
// MLP training goes through the raw whole-training kernel (`train_run`) with the data placed in
// linear memory once per run: exactly what the typed `train()` wrapper does, minus its argument
// validation, so the figure is the kernel's own speed. Everything else uses the public API.

const CFG_SIZE = 16;

/**
 * Full-batch GD with mse for `w.steps` steps from `w.params`; returns the trained parameters.
 * One WASM call runs the whole training.
 */
export function coreTrainMlp(core, w) {
  const raw = core.raw;
  const trainRun = raw.fn('train_run');
  const workSize = raw.fn('train_work_size');
  const L = w.dims.length - 1;
  return raw.scoped((s) => {
    const dims = s.i32(w.dims);
    const params = s.f64(w.params);
    const X = s.f64(w.x);
    const Y = s.f64(w.y);
    const cfg = new Float64Array(CFG_SIZE);
    cfg[0] = 0; // loss: mse
    cfg[1] = 0; // optimiser: sgd
    cfg[2] = w.lr;
    cfg[8] = w.steps; // epochs (full batch: one step each)
    cfg[9] = 0; // full batch
    const config = s.f64(cfg);
    const lossOut = s.f64Zeros(w.steps);
    const stepsOut = s.i32Zeros(1);
    const work = s.f64Zeros(workSize(dims, L, 1, w.points, 0));
    const status = trainRun(dims, L, 1, params, X, Y, w.points, config, lossOut, stepsOut, work);
    if (status !== 0) throw new Error(`core-wasm training diverged on ${w.id} (status ${status})`);
    return s.readF64(params, w.params.length);
  });
}
