// `paradox verify NET PROPERTY` end to end: VNN-COMP result lines (unsat, sat with the
// counterexample, timeout), the summary line computed from the run, --out, and bad inputs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { networkToJSON, createNetwork } from '@paradox/core-wasm';
import { ndjson, paradox, requireBuilt, ROOT, scratch } from './cli-helpers.js';

const FIX = join(ROOT, 'packages/core-wasm/test/fixtures/vnncomp2021');
beforeAll(() => requireBuilt());

/** φ(x) = ρ(x₀) − ρ(x₀ − 1/2) + 0·x₁ with two outputs (y₁ = 1/4): unsafe when y₀ ≥ y₁ somewhere in the box. */
function smallNet(dir: string): string {
  const net = createNetwork([2, 2, 2], true, [1, 0, 1, 0, 0, -0.5, 1, -1, 0, 0, 0, 0.25]);
  const p = join(dir, 'net.json');
  writeFileSync(p, JSON.stringify(networkToJSON(net)));
  return p;
}

const prop = (lo: number, hi: number): string =>
  `(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n` +
  `(assert (>= X_0 ${lo}))\n(assert (<= X_0 ${hi}))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n(assert (>= Y_0 Y_1))\n`;

describe('paradox verify', () => {
  it('unsat when the outputs never reach the unsafe region, sat with a checked counterexample otherwise', () => {
    const dir = scratch();
    const net = smallNet(dir);
    // On x₀ ∈ [0, 0.2], y₀ = x₀ ≤ 0.2 < 1/4 = y₁: the property holds.
    writeFileSync(join(dir, 'safe.vnnlib'), prop(0, 0.2));
    const a = paradox(['verify', net, 'safe.vnnlib'], { cwd: dir });
    expect(a.code).toBe(0);
    expect(a.stdout.split('\n')[0]).toBe('unsat');
    expect(a.stdout).toMatch(/the property holds \(unsat\) after \d+ sub-domains? \(\d+ input and \d+ ReLU splits?\) in \d+\.\d\d s/);
    // On x₀ ∈ [0, 1], y₀ reaches 1/2 > 1/4: a counterexample with y₀ ≥ y₁.
    writeFileSync(join(dir, 'unsafe.vnnlib'), prop(0, 1));
    const b = paradox(['verify', net, 'unsafe.vnnlib', '--out', 'r.txt'], { cwd: dir });
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/counterexample found \(sat\).*result in r\.txt/);
    const text = readFileSync(join(dir, 'r.txt'), 'utf8');
    expect(text.split('\n')[0]).toBe('sat');
    const vals = Object.fromEntries([...text.matchAll(/\((X_\d|Y_\d) ([^\s)]+)\)/g)].map((m) => [m[1], Number(m[2])]));
    expect(vals.X_0).toBeGreaterThanOrEqual(0.25);
    expect(vals.X_0).toBeLessThanOrEqual(1);
    expect(vals.Y_0).toBeGreaterThanOrEqual(vals.Y_1!);
    // --out is never overwritten.
    const again = paradox(['verify', net, 'unsafe.vnnlib', '--out', 'r.txt'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/r\.txt already exists/);
  });

  it('ACAS Xu network 1_1, property 1: unsat; property 3 with a 1 s limit: timeout; --json', () => {
    const net = join(FIX, 'acasxu/ACASXU_run2a_1_1_batch_2000.onnx');
    const a = paradox(['verify', net, join(FIX, 'acasxu-props/prop_1.vnnlib'), '--json']);
    const ev = ndjson(a.stdout)[0]!;
    expect(ev).toMatchObject({ type: 'verify', verdict: 'verified', result: 'unsat', witness: null });
    // 5 inputs: the search split inputs only.
    expect(ev.splits).toMatchObject({ relu: 0 });
    expect((ev.splits as { input: number }).input).toBeGreaterThan(0);
    const b = paradox(['verify', net, join(FIX, 'acasxu-props/prop_3.vnnlib'), '--timeout', '1']);
    expect(b.stdout.split('\n')[0]).toBe('timeout');
    expect(b.stdout).toMatch(/undecided: time limit 1 s \(timeout\)/);
  });

  it('bad input: exit 2 naming the file and line', () => {
    const dir = scratch();
    const net = smallNet(dir);
    writeFileSync(join(dir, 'bad.vnnlib'), '(declare-const X_0 Real)\n(assert (< X_0 1))\n');
    const r = paradox(['verify', net, 'bad.vnnlib'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.vnnlib: vnnlib line 2: unsupported formula '<'/);
    const m = paradox(['verify', net, 'missing.vnnlib'], { cwd: dir });
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/property missing\.vnnlib: no such file/);
    const t = paradox(['verify', net, 'bad.vnnlib', '--timeout', '-1'], { cwd: dir });
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--timeout expects seconds > 0/);
  });
});
