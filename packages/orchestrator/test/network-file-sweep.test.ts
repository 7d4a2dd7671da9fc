/**
 * Instability `method: network-file`: networks trained elsewhere on data exported with `paradox
 * stripes export --seed S --trial T`, measured in a sweep (seed S, `dataTrial: T`) by the built-in
 * trial's measurement stage — the row of a network equals the built-in method's row for the trial
 * that trained it, every column but the final loss (a file carries none). Bad specs are spec
 * errors naming the entry and what is allowed (exit 2), before anything is written.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore, networkToJSON, type Core } from '@paradox/core-wasm';
import { loadOnnx } from '@paradox/core-wasm/onnx';
import { measureNetwork, runInstabilityTrial } from '@paradox/core-wasm/instability';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRunStore, runSweep } from '../src/api.js';
import { SpecError } from '../src/errors.js';
import { instability } from '../src/experiments/instability.js';
import { loadSpec } from '../src/spec/load.js';
import type { Json } from '../src/worker/protocol.js';
import { summaryBytes, tempDir } from './helpers/sweep.js';

const PROBLEM = { m: 6, hidden: [8], optimizer: 'adam', lr: 0.05, epochs: 60, r: 16, s: 6, radii: [0.005, 0.02] };
const SEED = 5;
/** The exact-radius option's columns too, on a few points (a small node limit keeps it quick). */
const EXACT = { points: 3, maxNodes: 2000 };

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** A project directory: networks "trained elsewhere" (the built-in train method on export trials 1 and 3, and the shortcut σ of trial 1) as paradox-network/1 files. */
function project(): string {
  const dir = tempDir();
  for (const [name, method, trial] of [['t1.json', 'train', 1], ['t3.json', 'train', 3], ['sigma.json', 'shortcut', 1]] as const) {
    const t = runInstabilityTrial(core, { ...PROBLEM, method }, { seed: SEED, streamHi: 0, trial });
    writeFileSync(join(dir, name), JSON.stringify(networkToJSON(t.network)));
  }
  return dir;
}

function spec(dir: string, body: Record<string, unknown>, name = 'spec.json'): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ experiment: 'instability', seed: SEED, trials: 1, ...body }));
  return file;
}

async function specIssues(file: string): Promise<SpecError> {
  const err = (await loadSpec(file).catch((e: unknown) => e)) as SpecError;
  expect(err).toBeInstanceOf(SpecError);
  expect(err.exitCode).toBe(2);
  return err;
}

describe('instability method: network-file', () => {
  it('measures each network on the data it was trained on, exactly as the built-in trial measured it; 1 and 2 workers byte-identical', async () => {
    const dir = project();
    const file = spec(dir, {
      zip: { network: ['./t1.json', './t3.json', './sigma.json'], dataTrial: [1, 3, 1] },
      fixed: { ...PROBLEM, method: 'network-file', exactRadius: EXACT },
    });
    const a = await runSweep(await loadSpec(file), { outDir: join(dir, 'a'), workers: 2 });
    const b = await runSweep(await loadSpec(file), { outDir: join(dir, 'b'), workers: 1 });
    expect(summaryBytes(b.dir)).toBe(summaryBytes(a.dir));
    const cells = a.summary.cells;
    expect(cells.map((c) => (c.experiment === 'instability' ? [c.method, c.arch, c.trials] : null))).toEqual([
      ['network-file', [2, 8, 1], 1], ['network-file', [2, 8, 1], 1], ['network-file', [2, 2, 1], 1],
    ]);
    const store = openRunStore(a.dir);
    try {
      const bytes = (x: number): string => Buffer.from(Float64Array.of(x).buffer).toString('hex');
      for (const [i, [method, trial]] of ([['train', 1], ['train', 3], ['shortcut', 1]] as const).entries()) {
        const [row] = [...store.trials(i)];
        // The built-in method's row for the trial that produced the network (the export's stream: streamHi 0).
        const params = instability.normaliseParams({ ...PROBLEM, method, exactRadius: EXACT }) as Record<string, Json>;
        const builtin = await instability.runBatch(core, params, { seed: SEED, streamHi: 0, tStart: trial, count: 1 });
        const names = Object.keys(builtin.columns).sort();
        expect(Object.keys(row!.values).sort()).toEqual(names);
        expect(names).toContain('exactRadius.minLower');
        for (const name of names) {
          const want = name === 'finalLoss' ? NaN : builtin.columns[name]![0]!;
          expect([i, name, bytes(row!.values[name]!)]).toEqual([i, name, bytes(want)]);
        }
      }
      // The data exercise the measurement: σ is accurate and unstable (Proposition: every point within μ of a flip).
      const sigma = cells[2];
      if (sigma?.experiment !== 'instability') throw new Error('expected an instability cell');
      expect([sigma.accurate.k, sigma.accurateUnstable.k]).toEqual([1, 1]);
    } finally {
      store.close();
    }
  }, 120_000);

  it('an ONNX file written by PyTorch is measured like any network (its row equals measureNetwork on the export trial)', async () => {
    const dir = tempDir();
    const onnx = fileURLToPath(new URL('../../core-wasm/test/fixtures/onnx-torch/mlp-2-8-1.onnx', import.meta.url));
    copyFileSync(onnx, join(dir, 'net.onnx'));
    const file = spec(dir, { fixed: { ...PROBLEM, method: 'network-file', network: './net.onnx', dataTrial: 4 } });
    const a = await runSweep(await loadSpec(file), { outDir: join(dir, 'a'), workers: 1 });
    const cell = a.summary.cells[0];
    if (cell?.experiment !== 'instability') throw new Error('expected an instability cell');
    expect(cell.arch).toEqual([2, 8, 1]);
    const want = measureNetwork(core, PROBLEM, { seed: SEED, streamHi: 0, trial: 4 }, loadOnnx(readFileSync(onnx)));
    const store = openRunStore(a.dir);
    try {
      const [row] = [...store.trials(0)];
      const v = row!.values;
      expect([v['acc.train'], v['acc.val'], v.unstableShare, v['radius.certMin'], v['radius.attackMin'], v.piecesMidline, v['f3.witnesses']]).toEqual([
        want.trainAccuracy, want.valAccuracy, want.unstableShare, want.radius.certMin, want.radius.attackMin, want.piecesMidline, want.f3.witnesses,
      ]);
    } finally {
      store.close();
    }
  }, 60_000);

  it('bad network-file specs are spec errors naming the entry and what is allowed; nothing is written', async () => {
    const dir = project();
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ fixed: { method: 'network-file' } }, 'fixed.network', /expected the path of a fully connected ReLU network file \(\.onnx or paradox-network\/1 JSON\) \(with method: network-file\), got null/],
      [{ fixed: { method: 'network-file', network: './nowhere.json' } }, 'fixed.network', /expected a readable file, got ".*nowhere\.json \(no such file\)"/],
      [{ fixed: { method: 'network-file', network: './t1.json', d: 3 } }, 'fixed.network', /with d = 3 inputs and one output \(\[3, …, 1\], the stripes problem's\), got ".*t1\.json with dims \[2, 8, 1\]"/],
      [{ fixed: { method: 'network-file', network: './spec-bad.json' } }, 'fixed.network', /spec-bad\.json \(.+\)"/],
      [{ fixed: { method: 'network-file', network: './acas.onnx', d: 5 } }, 'fixed.network', /with d = 5 inputs and one output \(\[5, …, 1\], the stripes problem's\), got ".*acas\.onnx with dims \[5, 50, 50, 50, 50, 50, 50, 5\]"/],
      [{ fixed: { method: 'network-file', network: './t1.json', dataTrial: -1 } }, 'fixed.dataTrial', /expected an integer in \[0, 2\^32\): the --trial of `paradox stripes export`/],
      [{ fixed: { method: 'train', dataTrial: 2 } }, 'fixed.dataTrial', /expected nothing unless method: network-file/],
      [{ fixed: { method: 'network-file', network: './t1.json', exactRadius: { tol: 2 } } }, 'fixed.exactRadius.tol', /expected a relative tolerance in \[1e-12, 1\), got 2/],
      [{ fixed: { method: 'network-file', network: './t1.json' }, trials: 3 }, 'trials', /trials: 1 with method: network-file/],
      [{ fixed: { method: 'magic' } }, 'fixed.method', /one of train, .*plugin, network-file, got "magic"/],
    ];
    writeFileSync(join(dir, 'spec-bad.json'), '{"format": "something else"}');
    copyFileSync(fileURLToPath(new URL('../../core-wasm/test/fixtures/vnncomp2021/acasxu/ACASXU_run2a_1_1_batch_2000.onnx', import.meta.url)), join(dir, 'acas.onnx'));
    for (const [i, [body, path, message]] of cases.entries()) {
      const err = await specIssues(spec(dir, { ...body, fixed: { ...PROBLEM, ...(body.fixed as object) } }, `s${i}.json`));
      expect([i, err.issues.map((x) => x.path.replace(/ \(missing\)$/, ''))]).toEqual([i, [path]]);
      expect([i, err.message]).toEqual([i, expect.stringMatching(message)]);
    }
    expect(existsSync(join(dir, 'run'))).toBe(false);
  }, 60_000);
});
