// `verify` as a sweep experiment: one VNN-LIB instance (network × property) per cell, decided by
// core-wasm verify(); verdicts equal the library call's, the summary carries the VNN-COMP result
// text and the counterexample, exports through the one table schema, and is byte-identical for
// 1 and 2 workers. Three ACAS Xu instances from the committed VNN-COMP 2021 fixtures (each decided
// or stopped in well under a second: 1_1 prop 1 unsat, 2_1 prop 2 sat, 1_1 prop 1 at 1 node).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCore, parseVnnlib, verify, vnncompResult } from '@paradox/core-wasm';
import { networkFromBytes } from '@paradox/core-wasm/onnx';
import { runSweep } from '../src/api.js';
import { loadSpec } from '../src/spec/load.js';
import { resultV } from '../src/summary/headline.js';
import { summaryTable } from '../src/summary/table.js';
import type { VerifyCell } from '../src/summary/types.js';
import { specError, summaryBytes, tempDir } from './helpers/sweep.js';

const FIX = fileURLToPath(new URL('../../core-wasm/test/fixtures/vnncomp2021/', import.meta.url));
const NET = (id: string) => join(FIX, 'acasxu', `ACASXU_run2a_${id}_batch_2000.onnx`);
const PROP = (k: number) => join(FIX, 'acasxu-props', `prop_${k}.vnnlib`);

const SPEC = {
  name: 'acas', experiment: 'verify', seed: 3,
  zip: { network: [NET('1_1'), NET('2_1'), NET('1_1')], property: [PROP(1), PROP(2), PROP(1)], maxNodes: [5000, 5000, 1] },
  trials: 1,
};

async function direct(net: string, prop: string, maxNodes: number) {
  const core = await loadCore();
  const n = networkFromBytes(new Uint8Array(readFileSync(net)), net);
  return verify(core, n, parseVnnlib(readFileSync(prop, 'utf8'), 5, 5), { maxNodes, timeLimit: Infinity, seed: 3 });
}

describe('verify sweeps', () => {
  it('one instance per cell: verdicts equal verify(), VNN-COMP lines in summary.json, byte-identical for 1 and 2 workers', async () => {
    const a = join(tempDir(), 'run');
    expect((await runSweep(SPEC, { outDir: a, workers: 1 })).status).toBe('complete');
    const b = join(tempDir(), 'run');
    expect((await runSweep(SPEC, { outDir: b, workers: 2 })).status).toBe('complete');
    const bytes = summaryBytes(a);
    expect(summaryBytes(b)).toBe(bytes);
    const s = JSON.parse(bytes) as { cells: VerifyCell[]; headline: { verify: ReturnType<typeof resultV> } };
    expect(s.cells).toHaveLength(3);
    for (const [i, c] of s.cells.entries()) {
      const r = await direct(SPEC.zip.network[i]!, SPEC.zip.property[i]!, SPEC.zip.maxNodes[i]!);
      expect([c.verdict, c.reason, c.nodes], `cell ${i}`).toEqual([r.verdict, r.reason ?? null, r.nodes]);
      expect(c.vnncomp).toBe(vnncompResult(r));
      expect(c.counterexample).toEqual(r.witness ? { x: Array.from(r.witness.x), y: Array.from(r.witness.y) } : { x: null, y: null });
    }
    expect(s.cells.map((c) => c.result)).toEqual(['unsat', 'sat', 'unknown']);
    expect(s.cells[2]!.reason).toBe('nodes');
    expect(s.cells[1]!.vnncomp).toMatch(/^sat\n\(\(X_0 [^)]+\)\n \(X_1 /);
    expect(s.headline.verify).toMatchObject({ instances: 3, verified: 1, falsified: 1, unknown: { time: 0, nodes: 1, memory: 0 } });
    expect(s.headline.verify.verdict).toBe('3 instances: 1 verified (unsat), 1 falsified (sat), 1 undecided (1 at the node limit).');
    // The one table schema: a row per instance with the result word and the counterexample.
    const t = summaryTable([{ label: 'acas', summary: s as never }]);
    expect(t.rows).toHaveLength(3);
    expect(t.rows.map((r) => r.result)).toEqual(['unsat', 'sat', 'unknown']);
    expect(t.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['verdict', 'reason', 'nodes', 'counterexample.x', 'counterexample.y', 'vnncomp']));
    expect(t.columns.map((c) => c.name)).not.toContain('counterexample');
    expect(t.rows[1]!['counterexample.x']).toEqual(s.cells[1]!.counterexample.x);
    expect(t.rows[0]!['counterexample.x']).toBeNull();
  }, 120_000);

  it('the headline sentence follows the counts (none falsified, all decided, none decided, none run)', () => {
    const cell = (verdict: VerifyCell['verdict'], reason: VerifyCell['reason'] = null) => ({ verdict, reason }) as VerifyCell;
    expect(resultV([cell('verified'), cell('verified')]).verdict).toBe('2 instances: 2 verified (unsat), 0 falsified (sat), 0 undecided — every instance decided.');
    expect(resultV([cell('unknown', 'time')]).verdict).toBe('1 instance: 0 verified (unsat), 0 falsified (sat), 1 undecided (1 at the time limit (timeout)) — none decided within the limits.');
    expect(resultV([cell('falsified'), cell('unknown', 'memory'), cell('unknown', 'nodes')]).verdict).toBe(
      '3 instances: 0 verified (unsat), 1 falsified (sat), 2 undecided (1 at the node limit, 1 at the memory limit).',
    );
    expect(resultV([cell(null)]).verdict).toBe('No instance has run yet.');
  });

  it('bad network or property paths and trials ≠ 1 are spec errors naming the entry; nothing is written', async () => {
    const dir = tempDir();
    const base = { experiment: 'verify', fixed: { network: NET('1_1'), property: PROP(1) }, trials: 1 };
    expect(specError(base)).toBe('no error');
    expect(specError({ ...base, fixed: { network: join(dir, 'nope.onnx'), property: PROP(1) } })).toMatch(/fixed\.network.*no such file/s);
    expect(specError({ ...base, fixed: { network: NET('1_1'), property: join(dir, 'nope.vnnlib') } })).toMatch(/fixed\.property.*no such file/s);
    writeFileSync(join(dir, 'bad.vnnlib'), '(declare-const X_0 Real)\n(assert (<= X_9 1.0))\n');
    expect(specError({ ...base, fixed: { network: NET('1_1'), property: join(dir, 'bad.vnnlib') } })).toMatch(/fixed\.property.*bad\.vnnlib/s);
    expect(specError({ ...base, trials: 2 })).toMatch(/trials: 1/);
    expect(specError({ ...base, fixed: { ...base.fixed, maxNodes: 0 } })).toMatch(/maxNodes/);
    const out = join(dir, 'run');
    await expect(runSweep({ ...base, zip: { property: [PROP(1), join(dir, 'missing.vnnlib')] }, fixed: { network: NET('1_1') } }, { outDir: out, workers: 1 })).rejects.toThrow(/zip\.property.*missing\.vnnlib.*no such file/s);
    expect(existsSync(out)).toBe(false);
  });

  it('network and property named in a spec file are found next to it', async () => {
    const dir = tempDir();
    const file = join(dir, 'v.yaml');
    writeFileSync(file, `experiment: verify\nfixed:\n  network: ${NET('1_1')}\n  property: p.vnnlib\ntrials: 1\n`);
    writeFileSync(join(dir, 'p.vnnlib'), readFileSync(PROP(1)));
    const spec = await loadSpec(file);
    expect(spec.fixed.property).toBe(join(dir, 'p.vnnlib'));
  });
});
