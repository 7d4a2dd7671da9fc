/**
 * Sweep specs: malformed specs give clear errors (path, value, allowed) and write nothing; random
 * documents never crash the validator; normalisation, hashing and cell expansion are canonical.
 */
import fc from 'fast-check';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { runSweep } from '../src/api.js';
import { MAX_LISTED_ISSUES, OrchestratorError, SpecError } from '../src/errors.js';
import { hash32 } from '../src/spec/canonical.js';
import { expandCells, normaliseSpec, parseSpec, prepareSpec, specHash } from '../src/spec/index.js';
import { loadSpec, loadSpecFile } from '../src/spec/load.js';
import { decodeSpecBytes, MAX_SPEC_BYTES } from '../src/spec/parse.js';
import { noncomputability } from '../src/experiments/noncomputability.js';
import { specJsonSchema } from '../src/spec/schema.js';

const base = { experiment: 'noncomputability', seed: 1, grid: { algorithm: ['coin', 'gd'], K: [4, 8] }, fixed: { readBits: 8 }, trials: 10 };

/** [what, spec, expected path, a fragment of the message]. */
const BAD: Array<[string, unknown, string, RegExp]> = [
  ['not an object', 42, '(root)', /a mapping/],
  ['an array', [1, 2], '(root)', /a mapping/],
  ['null', null, '(root)', /a mapping/],
  ['missing experiment', { seed: 1, trials: 5 }, 'experiment', /one of: noncomputability, instability, analyse, verify.*got nothing/],
  ['unknown experiment', { ...base, experiment: 'quantum' }, 'experiment', /one of: noncomputability, instability, analyse, verify, got "quantum"/],
  ['unknown top-level key', { ...base, trails: 10 }, 'trails', /unknown key; expected one of the keys: name, experiment/],
  ['negative seed', { ...base, seed: -3 }, 'seed', /an integer in \[0, 2\^53 − 1\], got -3/],
  ['fractional seed', { ...base, seed: 1.5 }, 'seed', /integer/],
  ['seed as string', { ...base, seed: '42' }, 'seed', /got "42"/],
  ['seed too large', { ...base, seed: 2 ** 60 }, 'seed', /2\^53/],
  ['trials zero', { ...base, trials: 0 }, 'trials', /an integer in \[1, 1000000000\], got 0/],
  ['trials and stop', { ...base, stop: { rule: 'fixed', trials: 3 } }, 'stop', /either `trials` or `stop`, not both/],
  ['unknown stop rule', { ...base, trials: undefined, stop: { rule: 'bayes' } }, 'stop.rule', /one of: fixed, ci-halfwidth, sprt, confidence-sequence, got "bayes"/],
  ['stop without rule', { ...base, trials: undefined, stop: { halfWidth: 0.1 } }, 'stop.rule', /one of: fixed, ci-halfwidth/],
  ['halfWidth out of range', { ...base, trials: undefined, stop: { rule: 'ci-halfwidth', halfWidth: 0.7 } }, 'stop.halfWidth', /strictly between 0 and 0.5, got 0.7/],
  ['unknown key in stop', { ...base, trials: undefined, stop: { rule: 'sprt', delat: 0.1 } }, 'stop.delat', /unknown key; expected only the keys rule, delta/],
  ['sprt alpha too big', { ...base, trials: undefined, stop: { rule: 'sprt', alpha: 0.9 } }, 'stop.alpha', /strictly between 0 and 0.5/],
  ['minTrials above maxTrials', { ...base, trials: undefined, stop: { rule: 'ci-halfwidth', halfWidth: 0.1, minTrials: 50, maxTrials: 10 } }, 'stop.minTrials', /≤ stop.maxTrials \(10\)/],
  ['fixed rule without trials', { ...base, trials: undefined, stop: { rule: 'fixed' } }, 'stop.trials', /an integer in \[1, 1000000000\], got nothing/],
  ['confidence 1', { ...base, confidence: 1 }, 'confidence', /strictly between 0.5 and 1, got 1/],
  ['bad backend', { ...base, backend: 'k8s' }, 'backend', /one of: local, bullmq, got "k8s"/],
  ['workers zero', { ...base, workers: 0 }, 'workers', /auto or an integer in \[1, 1024\], got 0/],
  ['workers as word', { ...base, workers: 'many' }, 'workers', /auto or an integer/],
  ['redis not a Redis URL', { ...base, backend: 'bullmq', redis: 'http://127.0.0.1:6379' }, 'redis', /a Redis URL such as redis:\/\/host:6379/],
  ['batch negative', { ...base, batch: -5 }, 'batch', /auto or an integer in \[1, 1048576\], got -5/],
  ['grid not a mapping', { ...base, grid: [1, 2] }, 'grid', /a mapping from parameter name to a list of values/],
  ['grid axis not a list', { ...base, grid: { K: 4 } }, 'grid.K', /a non-empty list of values, got 4/],
  ['grid axis empty', { ...base, grid: { K: [] } }, 'grid.K', /a non-empty list of values/],
  ['grid value out of range', { ...base, grid: { algorithm: ['coin'], K: [4, -3] } }, 'grid.K[1]', /an integer in \[1, 1000\], got -3/],
  ['grid value wrong type', { ...base, grid: { algorithm: ['coin'], K: [4, 'eight'] } }, 'grid.K[1]', /an integer in \[1, 1000\], got "eight"/],
  ['unknown algorithm in grid', { ...base, grid: { algorithm: ['coin', 'magic'], K: [4] } }, 'grid.algorithm[1]', /one of gd, .*coin.*plugin, got "magic"/],
  ['unknown parameter', { ...base, fixed: { readBits: 8, widht: 4 } }, 'fixed.widht', /unknown parameter; expected a parameter of noncomputability: .*width/],
  ['parameter in grid and fixed', { ...base, fixed: { readBits: 8, K: 4 } }, 'fixed.K', /already set in grid/],
  ['duplicate grid value', { ...base, grid: { algorithm: ['coin', 'coin'], K: [4] } }, 'grid.algorithm[1]', /repeats grid.algorithm\[0\]/],
  ['zip lengths differ', { ...base, grid: { algorithm: ['coin'] }, zip: { K: [4, 8], readBits: [4] }, fixed: {} }, 'zip.readBits', /a list of 2 values \(the length of zip.K\), got 1/],
  ['missing required parameter', { ...base, fixed: {} }, 'fixed.readBits (missing)', /an integer in \[1, 2048\], got nothing/],
  ['fixed value out of range', { ...base, fixed: { readBits: 8, width: 0 } }, 'fixed.width', /an integer in \[1, 256\], got 0/],
  ['epsilons not positive', { ...base, fixed: { readBits: 8, epsilons: [0.1, -1] } }, 'fixed.epsilons[1]', /a finite number > 0/],
  ['lambda too large for the pair', { ...base, fixed: { readBits: 8, lambda: 50 } }, 'fixed.lambda', /a value below .* for these scales/],
  ['bad parameter name', { ...base, fixed: { readBits: 8, 'bad-name': 1 } }, 'fixed.bad-name', /a parameter name/],
  ['name empty', { ...base, name: '' }, 'name', /a non-empty single-line string/],
  ['non-finite value', { ...base, fixed: { readBits: 8, lambda: Infinity } }, 'fixed.lambda', /JSON value/],
];

describe('malformed specs', () => {
  it(`has at least 30 cases (${BAD.length})`, () => {
    expect(BAD.length).toBeGreaterThanOrEqual(30);
  });

  for (const [what, spec, path, message] of BAD) {
    it(`${what} → ${path}`, () => {
      let err: unknown;
      try {
        normaliseSpec(spec);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpecError);
      const e = err as SpecError;
      expect(e.code).toBe('E_SPEC');
      expect(e.exitCode).toBe(2);
      const hit = e.issues.find((i) => i.path === path);
      expect(hit, `issues were: ${e.issues.map((i) => i.message).join(' | ')}`).toBeDefined();
      expect(hit?.message).toMatch(message);
      expect(hit?.message.startsWith(`${path}: `)).toBe(true);
      expect(e.message).toContain(hit?.message);
    });
  }

  it('a bad spec writes nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'paradox-spec-'));
    const out = join(root, 'run');
    await expect(runSweep({ ...base, seed: -1 }, { outDir: out })).rejects.toBeInstanceOf(SpecError);
    expect(existsSync(out)).toBe(false);
  });

  it('YAML syntax errors and duplicate keys are syntax errors (exit 2) with the place', () => {
    const syntax = (f: () => unknown): OrchestratorError => {
      try {
        f();
      } catch (e) {
        return e as OrchestratorError;
      }
      throw new Error('no error');
    };
    const y = syntax(() => parseSpec('experiment: [unclosed', 'yaml', 'x.yaml'));
    expect(y.message).toMatch(/^x\.yaml: YAML syntax error at line 1, column \d+: /);
    expect([y.code, y.exitCode]).toEqual(['E_SPEC_SYNTAX', 2]);
    expect(syntax(() => parseSpec('seed: 1\nseed: 2\nexperiment: noncomputability', 'yaml')).message).toMatch(/YAML syntax error at line 2, column 1: Map keys must be unique/);
    expect(syntax(() => parseSpec('{"seed": }', 'json')).message).toMatch(/not valid JSON/);
  });

  it('lists every problem, not only the first: schema and cell parameters together', () => {
    try {
      normaliseSpec({ experiment: 'noncomputability', seed: -1, trials: 0, backend: 'x' });
      expect.unreachable();
    } catch (e) {
      // The schema's three, and the cell's missing algorithm (core-wasm stops at the first missing parameter).
      expect((e as SpecError).issues.map((i) => i.path).sort()).toEqual(['backend', 'fixed.algorithm (missing)', 'seed', 'trials']);
    }
    try {
      normaliseSpec({ ...base, confidence: 2, stop: { rule: 'sprt', alpha: 3 }, trials: undefined, grid: { algorithm: ['coin', 'magic'], K: [4, -3] }, fixed: { readBits: 8, widht: 4 } });
      expect.unreachable();
    } catch (e) {
      expect((e as SpecError).issues.map((i) => i.path)).toEqual(['stop.alpha', 'confidence', 'fixed.widht', 'grid.K[1]', 'grid.algorithm[1]']);
    }
  });

  it('lists at most MAX_LISTED_ISSUES problems in the message and counts the rest; every one stays in issues', () => {
    const grid = { algorithm: ['coin'], K: Array.from({ length: 25 }, (_, i) => -1 - i) };
    try {
      normaliseSpec({ ...base, grid });
      expect.unreachable();
    } catch (e) {
      const err = e as SpecError;
      expect(err.issues).toHaveLength(25);
      const lines = err.message.split('\n');
      expect(lines[0]).toBe('invalid sweep spec (25 problems):');
      expect(lines).toHaveLength(1 + MAX_LISTED_ISSUES + 1);
      expect(lines[MAX_LISTED_ISSUES]).toMatch(/^ {2}grid\.K\[19\]: /);
      expect(lines.at(-1)).toBe('  … and 5 more problems');
    }
  });

  it('carries the allowed words of closed lists as choices (for "did you mean")', () => {
    const issuesOf = (doc: unknown): SpecError['issues'] => {
      try {
        normaliseSpec(doc);
      } catch (e) {
        return (e as SpecError).issues;
      }
      throw new Error('valid');
    };
    const [top] = issuesOf({ ...base, trails: 3 });
    expect(top?.choices).toContain('trials');
    const stopIssues = issuesOf({ ...base, trials: undefined, stop: { rule: 'sprt', delat: 0.1 } });
    expect(stopIssues.find((i) => i.path === 'stop.delat')?.choices).toEqual(['rule', 'delta', 'alpha', 'beta', 'minTrials', 'maxTrials', 'checkEvery']);
    expect(issuesOf({ ...base, backend: 'locl' })[0]?.choices).toEqual(['local', 'bullmq']);
    expect(issuesOf({ ...base, fixed: { readBits: 8, widht: 4 } })[0]?.choices).toContain('width');
    // An open range has no choices.
    expect(issuesOf({ ...base, seed: -1 })[0]?.choices).toBeUndefined();
  });
});

/** Arbitrary YAML/JSON-like documents, biased toward spec-shaped ones. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('K', 'readBits', 'algorithm', 'width', 'rule')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const specLike = fc.record(
  {
    experiment: fc.oneof(fc.constantFrom('noncomputability', 'instability'), jsonValue),
    seed: fc.oneof(fc.integer(), jsonValue),
    grid: fc.oneof(fc.dictionary(fc.constantFrom('K', 'readBits', 'algorithm', 'width', 'x'), fc.array(fc.oneof(fc.integer({ min: -2, max: 60 }), fc.constantFrom('coin', 'gd')), { maxLength: 3 }), { maxKeys: 3 }), jsonValue),
    fixed: fc.oneof(fc.dictionary(fc.constantFrom('K', 'readBits', 'lambda', 'epsilons'), jsonValue, { maxKeys: 3 }), jsonValue),
    trials: fc.oneof(fc.integer({ min: -5, max: 20 }), jsonValue),
    stop: jsonValue,
    zip: jsonValue,
    extra: jsonValue,
  },
  { requiredKeys: [] },
);

describe('fuzz', () => {
  it('random documents either normalise or raise a SpecError whose every issue names a path', () => {
    fc.assert(
      fc.property(fc.oneof(specLike, jsonValue), (doc) => {
        try {
          const spec = normaliseSpec(doc);
          // Valid: normalising again is a fixed point with the same hash.
          const again = normaliseSpec(JSON.parse(JSON.stringify(spec)));
          return specHash(again) === specHash(spec);
        } catch (e) {
          if (!(e instanceof SpecError)) throw e;
          return e.issues.length > 0 && e.issues.every((i) => i.path.length > 0 && i.message.startsWith(`${i.path}: `) && i.allowed.length > 0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('runSweep on an invalid random document rejects with a SpecError and creates nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'paradox-fuzz-'));
    let i = 0;
    await fc.assert(
      fc.asyncProperty(specLike, async (doc) => {
        try {
          normaliseSpec(doc);
          return true; // valid documents are not run here (that would start a sweep)
        } catch {
          const out = join(root, `run-${i++}`);
          const err = await runSweep(doc as Record<string, unknown>, { outDir: out }).catch((e: unknown) => e);
          return err instanceof SpecError && !existsSync(out);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('the same documents as YAML text behave the same way', () => {
    fc.assert(
      fc.property(specLike, (doc) => {
        let a: string;
        let b: string;
        try {
          a = specHash(normaliseSpec(JSON.parse(JSON.stringify(doc))));
        } catch (e) {
          if (!(e instanceof SpecError)) throw e;
          a = 'error';
        }
        try {
          b = specHash(parseSpec(stringify(JSON.parse(JSON.stringify(doc))), 'yaml'));
        } catch (e) {
          if (!(e instanceof SpecError)) throw e;
          b = 'error';
        }
        return a === b;
      }),
      { numRuns: 150 },
    );
  });
});

describe('normalisation, hashing, cells', () => {
  it('fills defaults and turns trials into a fixed rule, in canonical key order', () => {
    const s = normaliseSpec({ experiment: 'noncomputability', grid: { K: [4] }, fixed: { readBits: 2, algorithm: 'coin' } });
    expect(Object.keys(s)).toEqual(['name', 'experiment', 'seed', 'grid', 'zip', 'fixed', 'stop', 'confidence', 'backend', 'workers', 'batch']);
    expect(s.stop).toEqual({ rule: 'fixed', trials: 1000 });
    expect(Object.keys(s.fixed)).toEqual(['algorithm', 'readBits']);
    expect(s.workers).toBe('auto');
    const ci = normaliseSpec({ ...base, trials: undefined, stop: { rule: 'ci-halfwidth', halfWidth: 0.05 } });
    expect(ci.stop).toEqual({ rule: 'ci-halfwidth', halfWidth: 0.05, minTrials: 1000, maxTrials: 100000, checkEvery: 1000 });
  });

  it('the hash ignores execution settings and fixed-key order, not results-relevant fields', () => {
    const a = specHash(normaliseSpec(base));
    expect(specHash(normaliseSpec({ ...base, workers: 3, batch: 17, backend: 'bullmq' }))).toBe(a);
    expect(specHash(normaliseSpec({ ...base, fixed: { readBits: 8 } }))).toBe(a);
    expect(specHash(normaliseSpec({ ...base, seed: 2 }))).not.toBe(a);
    expect(specHash(normaliseSpec({ ...base, trials: 11 }))).not.toBe(a);
    // Axis order sets cell order, so it is part of the hash.
    expect(specHash(normaliseSpec({ ...base, grid: { K: [4, 8], algorithm: ['coin', 'gd'] } }))).not.toBe(a);
  });

  it('expands grid × zip with the first axis slowest and zip fastest; keys are canonical', () => {
    const s = normaliseSpec({ experiment: 'noncomputability', grid: { algorithm: ['coin', 'hedge'] }, zip: { K: [4, 8, 12], readBits: [2, 6, 10] }, trials: 3 });
    const cells = expandCells(s);
    expect(cells.map((c) => `${c.axes.algorithm}/${c.axes.K}/${c.axes.readBits}`)).toEqual([
      'coin/4/2', 'coin/8/6', 'coin/12/10', 'hedge/4/2', 'hedge/8/6', 'hedge/12/10',
    ]);
    for (const c of cells) {
      expect(c.key.startsWith('noncomputability:{')).toBe(true);
      expect(c.hash32).toBe(hash32(c.key));
      expect(c.params.width).toBe(4); // default filled
    }
    expect(new Set(cells.map((c) => c.key)).size).toBe(cells.length);
  });

  it('hash32 is the first four bytes of SHA-256, big-endian (a reproducibility contract)', () => {
    // sha256("abc") = ba7816bf...
    expect(hash32('abc')).toBe(0xba7816bf);
  });

  it('loadSpec reads YAML and JSON files and names the run after the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-spec-'));
    const y = join(dir, 'breakdown.yaml');
    writeFileSync(y, stringify(base));
    const s = await loadSpec(y);
    expect(s.name).toBe('breakdown');
    const j = join(dir, 'other.json');
    writeFileSync(j, JSON.stringify({ ...base, name: 'given' }));
    expect((await loadSpec(j)).name).toBe('given');
    await expect(loadSpec(join(dir, 'missing.yaml'))).rejects.toThrow(/cannot read the spec file/);
  });

  it('loadSpecFile reads every document, names them after the file and reports every document\'s problems at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-spec-'));
    const f = join(dir, 'pair.yaml');
    writeFileSync(f, `${stringify({ ...base, description: 'first' })}---\n${stringify(base)}---\n`);
    const docs = await loadSpecFile(f);
    expect(docs.map((d) => [d.index, d.spec.name, d.description])).toEqual([[0, 'pair-1', 'first'], [1, 'pair-2', undefined]]);
    expect(docs[0]?.input.description).toBeUndefined();
    writeFileSync(f, `${stringify({ ...base, seed: -1 })}---\n${stringify({ ...base, fixed: { readBits: 0 } })}`);
    const err = await loadSpecFile(f, { label: 'my file' }).then(() => undefined as never, (e: unknown) => e as SpecError);
    expect(err).toBeInstanceOf(SpecError);
    expect(err.issues.map((i) => [i.document, i.path])).toEqual([[1, 'seed'], [2, 'fixed.readBits']]);
    expect(err.message).toMatch(/^my file: invalid sweep spec \(2 problems\):\n {2}document 1: seed: expected .*\n {2}document 2: fixed\.readBits: expected /);
    // --trials replaces the stopping rule of every document.
    writeFileSync(f, stringify({ ...base, trials: undefined, stop: { rule: 'ci-halfwidth', halfWidth: 0.1 } }));
    expect((await loadSpecFile(f, { trials: 7 }))[0]?.spec.stop).toEqual({ rule: 'fixed', trials: 7 });
  });

  it('refuses a spec file too large, not UTF-8, or with an alias bomb: E_SPEC_SYNTAX (exit 2) saying where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-spec-'));
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `${stringify(base)}#${'x'.repeat(MAX_SPEC_BYTES)}\n`);
    await expect(loadSpecFile(big)).rejects.toMatchObject({ code: 'E_SPEC_SYNTAX', exitCode: 2, message: expect.stringMatching(/at most 1048576 bytes \(1 MiB\)$/) });
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.concat([Buffer.from('experiment: noncomputability\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    await expect(loadSpecFile(latin1)).rejects.toMatchObject({
      code: 'E_SPEC_SYNTAX',
      message: `${latin1}: not UTF-8 text: byte 0xE9 at line 2, column 10 (byte offset 38); save the file as UTF-8`,
    });
    // Overlong encodings and surrogates are not UTF-8 either; a BOM is dropped.
    expect(() => decodeSpecBytes(new Uint8Array([0x61, 0xc0, 0x80]), 'x')).toThrow(/byte 0xC0 at line 1, column 2/);
    expect(() => decodeSpecBytes(new Uint8Array([0xed, 0xa0, 0x80]), 'x')).toThrow(/byte 0xED/);
    expect(() => decodeSpecBytes(new Uint8Array([0x61, 0xe2, 0x82]), 'x')).toThrow(/byte 0xE2 at line 1, column 2/);
    expect(decodeSpecBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xc3, 0xa9]), 'x')).toBe('aé');
    const bomb = join(dir, 'bomb.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    writeFileSync(bomb, `${levels.join('\n')}\nexperiment: noncomputability\n`);
    await expect(loadSpecFile(bomb)).rejects.toMatchObject({ code: 'E_SPEC_SYNTAX', exitCode: 2, message: expect.stringMatching(/YAML aliases expand too much \(more than 100 alias uses/) });
  });

  it('resolves plugin paths against the spec file and loads them while validating: a missing module is a spec error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-spec-'));
    const f = join(dir, 'plugins.yaml');
    const plugin = new URL('./fixtures/plugin-half-slope.mjs', import.meta.url).pathname;
    writeFileSync(f, stringify({ ...base, grid: { algorithm: ['plugin'], K: [4], plugin: [plugin, './nowhere.mjs'] } }));
    const err = await loadSpecFile(f).then(() => undefined as never, (e: unknown) => e as SpecError);
    expect(err).toBeInstanceOf(SpecError);
    expect(err.issues.map((i) => [i.path, i.value])).toEqual([['grid.plugin[1]', join(dir, 'nowhere.mjs')]]);
    expect(err.issues[0]?.message).toMatch(/^grid\.plugin\[1\]: expected a module that exists and exports a paradox algorithm .*could not import/);
    // And runSweep refuses it before writing anything.
    const out = join(dir, 'run');
    await expect(runSweep(f, { outDir: out })).rejects.toBeInstanceOf(SpecError);
    expect(existsSync(out)).toBe(false);
    writeFileSync(f, stringify({ ...base, grid: { algorithm: ['plugin'], K: [4] }, fixed: { readBits: 8, plugin: relative(dir, plugin) } }));
    expect((await loadSpecFile(f))[0]?.spec.fixed.plugin).toBe(plugin);
  });

  it('validates a spec once: the cells computed by normaliseSpec are the ones expandCells and runSweep use', async () => {
    const calls = vi.spyOn(noncomputability, 'normaliseParams');
    try {
      const spec = normaliseSpec(base);
      expect(calls).toHaveBeenCalledTimes(4);
      const cells = expandCells(spec);
      expect(expandCells(spec)).toBe(cells);
      expect(await prepareSpec(spec)).toBe(spec);
      expect(calls).toHaveBeenCalledTimes(4);
      const dir = mkdtempSync(join(tmpdir(), 'paradox-spec-'));
      await runSweep(spec, { outDir: join(dir, 'run'), workers: 1 });
      expect(calls).toHaveBeenCalledTimes(4);
      // A spec changed after validation is validated again.
      const changed = { ...spec, grid: { ...spec.grid, K: [4] } };
      expect(expandCells(changed)).toHaveLength(2);
      spec.fixed = { readBits: 9 };
      expect(expandCells(spec)[0]?.params.readBits).toBe(9);
    } finally {
      calls.mockRestore();
    }
  });

  it('the schema renders as JSON Schema with descriptions (the documentation)', () => {
    const js = JSON.stringify(specJsonSchema());
    expect(js).toContain('Cartesian axes');
    expect(js).toContain('confidence-sequence');
  });
});
