// Interim demo: train a small ReLU network on a stripe problem inside one WebAssembly call and
// print what happened. Run with `node packages/core-wasm/examples/train-demo.mjs` after a build.
import {
  countPieces,
  forward,
  initNetwork,
  loadCore,
  pieceBound,
  randomUniform,
  SUBSTREAM,
  train,
} from '@paradox/core-wasm';

const core = await loadCore();
const seed = 42;

// Four vertical stripes of alternating label on the unit square: f(x) = ⌊4·x1⌋ mod 2.
const m = 4;
const n = 400;
const x = randomUniform(core, { seed, substream: SUBSTREAM.data }, 2 * n);
const y = Float64Array.from({ length: n }, (_, b) => Math.min(m - 1, Math.floor(m * x[2 * b])) % 2);

const dims = [2, 24, 24, 1];
const net = initNetwork(core, dims, true, { init: 'he', seed });
const options = { loss: 'mse', optimizer: 'adam', lr: 0.01, epochs: 300, batchSize: 32, seed };
console.log(`paradox core-wasm demo: ${n} points, f(x) = floor(${m}·x1) mod 2, network ${dims.join('→')} (${net.params.length} parameters)`);
console.log(`training: ${options.optimizer}, lr ${options.lr}, ${options.epochs} epochs, minibatch ${options.batchSize}, loss ${options.loss}, seed ${seed}`);

const t0 = performance.now();
const result = train(core, net, { x, y }, options);
const ms = performance.now() - t0;
if (result.status !== 'completed') {
  console.log(`training diverged: ${result.message}`);
  process.exit(1);
}
const h = result.lossHistory;
for (const e of [0, 9, 49, 99, 199, h.length - 1]) console.log(`  epoch ${String(e + 1).padStart(4)}: loss ${h[e].toFixed(5)}`);
console.log(`${result.steps} steps in ${ms.toFixed(0)} ms (${((result.steps / ms) * 1000).toFixed(0)} steps/s, one WebAssembly call)`);

const phi = forward(core, result.network, x);
const correct = phi.reduce((c, v, b) => c + (Math.abs(v - y[b]) < 0.5 ? 1 : 0), 0);
console.log(`training accuracy (|φ(x) − f(x)| < 1/2): ${((100 * correct) / n).toFixed(1)}%`);

const { pieces } = countPieces(core, result.network, [0, 0.5], [1, 0.5]);
console.log(`linear pieces of φ along the mid-line x2 = 1/2: ${pieces} (bound P(N) = ${pieceBound(dims)}; the ${m} stripes need ≥ ${m - 1} sign changes)`);
