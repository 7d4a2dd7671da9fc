import { beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { CoreError, loadCore, type Core } from '../src/index.js';
import {
  loadPlugin,
  registerAlgorithm,
  runNoncomputabilityTrials,
  runNoncomputabilityTrialsAsync,
  type Algorithm,
  type OracleRead,
} from '../src/noncomputability/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/noncomputability/${name}`, import.meta.url));

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

interface Record {
  keys: string[];
  frozen: boolean;
  reached: { path: string; value: unknown }[];
  read: OracleRead;
  budget: number;
}

const records = (): Record[] => ((globalThis as { __ncPluginRecords?: Record[] }).__ncPluginRecords ??= []);

describe('plugins see only oracle output', () => {
  it('a plugin that records everything it can reach finds nothing about the hidden input', async () => {
    const seed = 987_654_321;
    const streamHi = 0x5eed;
    const K = 13;
    const pluginOptions = { note: 'hello', depth: 3 };
    for (const readBits of [9, 40]) {
      records().length = 0;
      const params = { algorithm: 'plugin', plugin: fixture('records-everything.mjs'), pluginOptions, K, readBits, lambda: 0.0625, samples: 6, width: 5 };
      const res = await runNoncomputabilityTrialsAsync(core, params, { seed, streamHi, tStart: 1000, count: 3 });
      expect(records()).toHaveLength(6);
      for (const rec of records()) {
        expect(rec.frozen).toBe(true);
        expect(rec.reached.length).toBeGreaterThan(30); // the walk really covered the context
        expect(rec.keys.sort()).toEqual(['budget', 'd', 'lambda', 'options', 'read', 'rng', 'samples', 'tools', 'width']);
        const allowed = new Set<unknown>([2, 5, 6, 0.0625, readBits, 'hello', 3, true, false]);
        for (const { path, value } of rec.reached) {
          if (path.endsWith('#source')) {
            // Function sources are code, not data: nothing about this trial is baked into them.
            expect(String(value)).not.toMatch(/plus|minus|987654321|24301/);
            continue;
          }
          if (path.endsWith('.length') || path.endsWith('.name')) continue; // function arity and names
          expect(allowed.has(value), `${path} = ${String(value)}`).toBe(true);
        }
        expect(rec.reached.some(({ value }) => value === K || value === seed || value === streamHi || value === 1000)).toBe(false);
      }
      if (readBits <= K) {
        // The oracle's answers were the same on both inputs, and so were the plugin's outputs.
        for (let i = 0; i < 6; i += 2) expect(records()[i]!.read).toEqual(records()[i + 1]!.read);
        expect(res.every((r) => r.identical)).toBe(true);
      } else {
        expect(records().some((r, i) => i % 2 === 0 && JSON.stringify(r.read.x) !== JSON.stringify(records()[i + 1]!.read.x))).toBe(true);
      }
    }
  });

  it('an algorithm that keeps state between runs is caught where the inputs are indistinguishable', async () => {
    const params = { algorithm: 'plugin', plugin: fixture('keeps-state-between-runs.mjs'), K: 10, readBits: 10 };
    await expect(runNoncomputabilityTrialsAsync(core, params, { seed: 1, streamHi: 0, tStart: 0, count: 2 })).rejects.toThrow(
      /E?.*returned different networks; an algorithm must be a deterministic function of its context/,
    );
    await expect(runNoncomputabilityTrialsAsync(core, params, { seed: 1, streamHi: 0, tStart: 0, count: 2 })).rejects.toMatchObject({ code: 'E_THEOREM' });
  });

  it('loads named exports, runs async plugins only in the async runner, and matches built-ins run the same way', async () => {
    const named = { algorithm: 'plugin', plugin: fixture('named-export.mjs'), K: 4, readBits: 20 };
    const res = await runNoncomputabilityTrialsAsync(core, named, { seed: 5, streamHi: 0, tStart: 0, count: 2 });
    expect(res.map((r) => [r.plus.success[0], r.minus.success[0]])).toEqual([[false, true], [false, true]]);
    // Once loaded, the synchronous runner can use it too.
    expect(runNoncomputabilityTrials(core, named, { seed: 5, streamHi: 0, tStart: 0, count: 2 })).toEqual(res);

    const asyncParams = { algorithm: 'plugin', plugin: fixture('async-run.mjs'), K: 4, readBits: 20 };
    await loadPlugin(asyncParams.plugin);
    expect(() => runNoncomputabilityTrials(core, asyncParams, { seed: 5, streamHi: 0, tStart: 0, count: 1 })).toThrow(/returned a Promise; asynchronous algorithms need runNoncomputabilityTrialsAsync/);
    const viaPlugin = await runNoncomputabilityTrialsAsync(core, asyncParams, { seed: 5, streamHi: 0, tStart: 0, count: 3 });
    const gd: Algorithm = { name: 'same-as-plugin', run: (ctx) => ctx.tools.optimise(ctx.read(ctx.budget), { method: 'gd', steps: 50 }) };
    const viaObject = runNoncomputabilityTrials(core, { algorithm: 'gd', K: 4, readBits: 20 }, { seed: 5, streamHi: 0, tStart: 0, count: 3, algorithm: gd });
    expect(viaPlugin).toEqual(viaObject);
  });
});

describe('plugin loading errors', () => {
  it('say which module and what is wrong', async () => {
    const cases: [string, RegExp][] = [
      ['does-not-exist.mjs', /plugin ".*does-not-exist.mjs": could not import/],
      ['no-export.mjs', /neither a default export nor a named export "algorithm" \(exports: notAnAlgorithm\)/],
      ['run-not-a-function.mjs', /Algorithm.run: expected a function .* got "gd"/],
      ['throws-on-import.mjs', /could not import .*boom while importing/],
    ];
    for (const [file, re] of cases) {
      const err = await loadPlugin(fixture(file)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CoreError);
      expect((err as CoreError).code).toBe('E_ARG');
      expect((err as CoreError).message).toMatch(re);
    }
    await expect(loadPlugin('')).rejects.toThrow(/loadPlugin: expected a module path/);
  });

  it('the synchronous runner asks for a plugin to be loaded first; bad outputs are named', async () => {
    const params = { algorithm: 'plugin', plugin: fixture('never-loaded.mjs'), K: 4, readBits: 4 };
    expect(() => runNoncomputabilityTrials(core, params, { seed: 1, streamHi: 0, tStart: 0, count: 1 })).toThrow(/is not loaded: call `await loadPlugin\(path\)` first/);
    const wrong = { algorithm: 'plugin', plugin: fixture('wrong-shape.mjs'), K: 4, readBits: 4 };
    await expect(runNoncomputabilityTrialsAsync(core, wrong, { seed: 1, streamHi: 0, tStart: 0, count: 1 })).rejects.toThrow(
      /algorithm "wrong-shape" .*: output: network.w.length: expected W·d = 8/,
    );
  });
});

describe('registerAlgorithm', () => {
  it('makes an algorithm available by name, once', () => {
    const half: Algorithm = { name: 'test-half-hedge', run: (ctx) => ({ network: ctx.tools.linear([0.25, 0.25]) }) };
    registerAlgorithm(half);
    const res = runNoncomputabilityTrials(core, { algorithm: 'test-half-hedge', K: 4, readBits: 4 }, { seed: 1, streamHi: 0, tStart: 0, count: 1 });
    expect(res[0]!.plus.probes).toEqual([0.25, 0.25]);
    expect(() => registerAlgorithm(half)).toThrow(/already taken/);
    expect(() => registerAlgorithm({ name: 'gd', run: half.run })).toThrow(/already taken/);
    expect(() => registerAlgorithm({ name: '', run: half.run })).toThrow(/Algorithm.name: expected a non-empty string/);
  });
});
