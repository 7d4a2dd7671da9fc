// The training kernel's buffer layout and large-layer path, against the TypeScript reference:
// batch sizes whose feature-major row stride gets padded (multiples of 64 points), a last
// minibatch whose padded stride is wider than the full batch's, and layers wide enough
// (N_out·N_in ≥ 16384) to take the blocked-GEMM path.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Core, loadCore, train, type TrainOptions } from '../src/index.js';
import { referenceTrain } from '../src/reference/index.js';
import { maxRelErr, randomNet, randomPoints } from './helpers.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const cases: Array<{ name: string; dims: number[]; n: number; o: TrainOptions }> = [
  { name: 'full batch of 128 points (padded stride)', dims: [2, 8, 6, 1], n: 128, o: { lr: 0.05, epochs: 30 } },
  { name: 'minibatch 66 of 130 points (last batch of 64: padded stride)', dims: [2, 8, 1], n: 130, o: { optimizer: 'momentum', lr: 0.02, epochs: 6, batchSize: 66, seed: 5 } },
  { name: '2→128→128→1 on 64 points (GEMM-sized hidden layer)', dims: [2, 128, 128, 1], n: 64, o: { lr: 0.02, epochs: 6 } },
  { name: '2→128→128→1, minibatch 50 of 64 points, adam', dims: [2, 128, 128, 1], n: 64, o: { optimizer: 'adam', lr: 1e-3, epochs: 3, batchSize: 50, seed: 2 } },
];

describe('training layout: core vs the TypeScript reference', () => {
  for (const [k, c] of cases.entries()) {
    it(c.name, () => {
      const net = randomNet(c.dims, true, 70 + k);
      const d = c.dims[0]!;
      const x = randomPoints(c.n, d, 80 + k);
      const y = Float64Array.from({ length: c.n }, (_, b) => (x[b * d]! - 0.3 * x[b * d + 1]! > 0 ? 1 : 0));
      const a = train(core, net, { x, y }, c.o);
      const b = train(core, net, { x, y }, c.o);
      const ref = referenceTrain(net, { x, y }, c.o);
      expect(a.status).toBe('completed');
      expect(ref.status).toBe('completed');
      if (a.status !== 'completed' || b.status !== 'completed') return;
      // Same inputs, bit-identical outputs.
      expect(Array.from(b.network.params)).toEqual(Array.from(a.network.params));
      expect(maxRelErr(a.network.params, ref.network.params)).toBeLessThan(1e-8);
      expect(maxRelErr(a.lossHistory, ref.lossHistory)).toBeLessThan(1e-8);
      expect(maxRelErr(a.network.params, net.params)).toBeGreaterThan(1e-6);
    });
  }
});
