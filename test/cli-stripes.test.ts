// `paradox stripes export|judge`: data out for a trainer elsewhere, a network file judged back.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCore, networkToJSON, trialData, type Core } from '@paradox/core-wasm';
import { runInstabilityTrial } from '@paradox/core-wasm/instability';
import { paradox, requireBuilt, scratch } from './cli-helpers.js';

let core: Core;
beforeAll(async () => {
  requireBuilt();
  core = await loadCore();
});

describe('paradox stripes', () => {
  it('export writes the trial\'s training set; judge measures a network file like the built-in trial', () => {
    const dir = scratch();
    const r = paradox(['stripes', 'export', '--m', '10', '--seed', '5', '--trial', '2', '--out', 't.csv'], { cwd: dir });
    expect(r.code).toBe(0);
    const { train } = trialData(core, { m: 10 }, { seed: 5, streamHi: 0, trial: 2 });
    const lines = readFileSync(join(dir, 't.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('x1,x2,label');
    expect(lines.slice(1).map((l) => l.split(',').map(Number))).toEqual(Array.from({ length: train.y.length }, (_, i) => [train.x[2 * i], train.x[2 * i + 1], train.y[i]]));
    expect(paradox(['stripes', 'export', '--m', '10', '--out', 't.csv'], { cwd: dir }).code).toBe(2);

    // A network "trained elsewhere": the shortcut σ of this trial, written as paradox-network/1.
    const t = runInstabilityTrial(core, { m: 10, method: 'shortcut' }, { seed: 5, streamHi: 0, trial: 2 });
    writeFileSync(join(dir, 'sigma.json'), JSON.stringify(networkToJSON(t.network)));
    const j = paradox(['stripes', 'judge', 'sigma.json', '--m', '10', '--seed', '5', '--trial', '2', '--json'], { cwd: dir });
    expect(j.code).toBe(0);
    const ev = JSON.parse(j.stdout) as Record<string, unknown>;
    // The built-in trial's measurement: every field of its record (the final loss is not known for a file: NaN, printed as null).
    const { network: _n, train: _t, val: _v, points: _p, ...record } = t;
    expect(ev).toEqual(JSON.parse(JSON.stringify({ type: 'judged', network: 'sigma.json', ...record, finalLoss: null })));
    expect(ev.unstableShare).toBe(t.unstableShare);
    const text = paradox(['stripes', 'judge', 'sigma.json', '--m', '10', '--seed', '5', '--trial', '2'], { cwd: dir });
    expect(text.stdout).toContain(`Unstable at radius μ: ${(100 * t.unstableShare).toFixed(1)}% of T ∪ V`);
    expect(text.stdout).toContain(`F3: ${t.f3.predicted} stripes forced for every network of this architecture (${t.f3.predictedExact} for this one), ${t.f3.witnesses} stripes with a witness`);
    const bad = paradox(['stripes', 'judge', 'sigma.json', '--m', '10', '--d', '3'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected \[3, …, 1\]/);
  });

  it('a network-file sweep measures the judged network the same way; a bad one is a spec error, exit 2', () => {
    const dir = scratch();
    const t = runInstabilityTrial(core, { m: 10, method: 'shortcut' }, { seed: 5, streamHi: 0, trial: 2 });
    writeFileSync(join(dir, 'sigma.json'), JSON.stringify(networkToJSON(t.network)));
    writeFileSync(join(dir, 'judge.yaml'), 'experiment: instability\nseed: 5\nfixed: { method: network-file, network: sigma.json, dataTrial: 2, m: 10 }\ntrials: 1\n');
    const run = paradox(['run', 'judge.yaml', '--out', 'judged', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'judged', 'summary.json'), 'utf8')) as { cells: Array<Record<string, unknown>> };
    const cell = summary.cells[0] as { method: string; arch: number[]; accurate: { k: number }; accurateUnstable: { k: number }; radius: { attackMin: { mean: number }; certMin: { mean: number } } };
    expect(cell.method).toBe('network-file');
    expect(cell.arch).toEqual(t.network.dims);
    expect([cell.accurate.k, cell.accurateUnstable.k]).toEqual([t.accurate ? 1 : 0, t.accurate && t.unstableShare > 0 ? 1 : 0]);
    expect(cell.radius.attackMin.mean).toBe(t.radius.attackMin);
    expect(cell.radius.certMin.mean).toBe(t.radius.certMin);
    writeFileSync(join(dir, 'bad.yaml'), 'experiment: instability\nfixed: { method: network-file, network: sigma.json, d: 3 }\ntrials: 1\n');
    const bad = paradox(['run', 'bad.yaml', '--out', 'never'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('fixed.network: expected a fully connected ReLU network file (.onnx or paradox-network/1 JSON) with d = 3 inputs and one output');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
