// The AssemblyScript and TypeScript sides of every ABI table agree name by name: the substreams
// (assembly/rng/substreams.ts ↔ SUBSTREAM), the training configuration (assembly/train/slots.ts ↔
// TRAIN_CONFIG), the noncomputability optimiser's (assembly/noncomputability/optimise.ts ↔
// OPTIMISE_CONFIG, OPTIMISE_RESULT in src/noncomputability/kernel.ts) and the instability vectors (assembly/instability/slots.ts ↔ src/instability/
// layout.ts). The AS constants are read from the compiled module's exports, so what is compared
// is what the kernels use.
import { beforeAll, describe, expect, it } from 'vitest';
import { type Core, loadCore, SUBSTREAM } from '../src/index.js';
import { slotTable, slotVector } from '../src/internal/slots.js';
import { ATTACK_OPTIONS, ATTACK_PLAN, TRIAL_CONFIG, TRIAL_RESULT } from '../src/instability/layout.js';
import { encodeConfig, INSTABILITY_METHODS, normaliseInstabilityParams } from '../src/instability/params.js';
import { TRAIN_CONFIG } from '../src/train.js';
import { OPTIMISE_CONFIG, OPTIMISE_RESULT } from '../src/noncomputability/kernel.js';

const cores: Record<string, Core> = {};
beforeAll(async () => {
  cores.debug = await loadCore({ target: 'debug' });
  cores.release = await loadCore({ target: 'release' });
});

/** Every exported global of `core` whose name starts with `prefix`, by the rest of its name. */
function exported(core: Core, prefix: string, unsigned = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(core.raw.exports)) {
    if (name.startsWith(prefix) && v instanceof WebAssembly.Global) {
      out[name.slice(prefix.length)] = unsigned ? (v.value as number) >>> 0 : (v.value as number);
    }
  }
  return out;
}

/** `SUBSTREAM` flattened to the AS names: `instability.trainSet` → `INSTABILITY_TRAIN_SET`. */
function flatten(t: object, path: string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(t)) {
    const p = [...path, k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()];
    if (typeof v === 'object' && v !== null) Object.assign(out, flatten(v, p));
    else out[p.join('_')] = v as number;
  }
  return out;
}

describe.each(['debug', 'release'])('AS and TS tables agree (%s build)', (target) => {
  it('substreams: every AS constant is in SUBSTREAM with the same number, and every TS entry the kernels use is in AS', () => {
    const as = exported(cores[target]!, 'SUBSTREAM_', true);
    // The noncomputability, analyse and training-plugin substreams are drawn on the TypeScript side only.
    const tsOnly = (k: string): boolean => k.startsWith('NONCOMPUTABILITY_') || k === 'ANALYSE' || k === 'INSTABILITY_TRAINING_PLUGIN';
    const ts = Object.fromEntries(Object.entries(flatten(SUBSTREAM)).filter(([k]) => !tsOnly(k)));
    expect(Object.keys(as).length).toBeGreaterThanOrEqual(10);
    expect(as).toEqual(ts);
  });

  it.each([
    ['TRAIN_CONFIG_', TRAIN_CONFIG],
    ['TRIAL_CONFIG_', TRIAL_CONFIG],
    ['TRIAL_RESULT_', TRIAL_RESULT],
    ['ATTACK_OPTIONS_', ATTACK_OPTIONS],
    ['ATTACK_PLAN_', ATTACK_PLAN],
    ['OPTIMISE_CONFIG_', OPTIMISE_CONFIG],
    ['OPTIMISE_RESULT_', OPTIMISE_RESULT],
  ] as const)('slot table %s', (prefix, table) => {
    const as = exported(cores[target]!, prefix);
    expect(Object.keys(as).length).toBeGreaterThan(4);
    expect(as).toEqual({ ...table });
  });

  it('method codes: TRIAL_METHOD_* are the indices of INSTABILITY_METHODS', () => {
    const as = exported(cores[target]!, 'TRIAL_METHOD_');
    const ts = Object.fromEntries(INSTABILITY_METHODS.map((m, i) => [m.replace('adversarial', 'adv').replace(/-/g, '_').toUpperCase(), i]));
    expect(as).toEqual(ts);
  });
});

describe('slot vectors are written by name', () => {
  it('slotVector refuses a missing or an unknown slot (a forgotten field cannot silently stay 0)', () => {
    const t = slotTable(['A', 'B']);
    expect(Array.from(slotVector(t, { A: 1, B: 2 }))).toEqual([1, 2]);
    expect(() => slotVector(t, { A: 1 } as never)).toThrow(/slot B: no value/);
    expect(() => slotVector(t, { A: 1, B: 2, C: 3 } as never)).toThrow(/slot C: not in the table/);
  });

  it('encodeConfig fills every slot of TRIAL_CONFIG from the parameters', () => {
    const p = normaliseInstabilityParams({ m: 5, lr: 0.125, epochs: 7, method: 'shortcut' });
    const c = encodeConfig(p);
    expect(c.length).toBe(TRIAL_CONFIG.SIZE);
    expect([c[TRIAL_CONFIG.M], c[TRIAL_CONFIG.LR], c[TRIAL_CONFIG.EPOCHS], c[TRIAL_CONFIG.METHOD]]).toEqual([5, 0.125, 7, INSTABILITY_METHODS.indexOf('shortcut')]);
  });
});
