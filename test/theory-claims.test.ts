/**
 * docs/theory.md §II.6 against measurement: the read budget from which exact-read and escalate
 * succeed on both inputs of a hard pair. The document states K + 1 for exact-read, and for
 * escalate K + 2, or K + 1 when some scale c_j exceeds 3/4; these trials check each claim and
 * that the document still says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCore, type Core } from '@paradox/core-wasm';
import { noncomputabilityConstants, runNoncomputabilityTrials } from '@paradox/core-wasm/noncomputability';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli-helpers.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** Pairs (of `count`) where both signs succeed at ε = 0.1. */
function bothSucceed(algorithm: string, K: number, readBits: number, seed: number, samples = 8, count = 40): number {
  const params = { algorithm, K, readBits, samples, epsilons: [0.1] };
  return runNoncomputabilityTrials(core, params, { seed, streamHi: 7, tStart: 0, count }).filter((r) => r.plus.success[0] && r.minus.success[0]).length;
}

describe('docs/theory.md §II.6: how many bits exact-read and escalate need', () => {
  it('exact-read succeeds on both inputs from readBits = K + 1 on, and not at K', () => {
    for (const K of [3, 8, 16, 30]) {
      for (const seed of [1, 2]) {
        for (const samples of [1, 8]) expect(bothSucceed('exact-read', K, K + 1, seed, samples), `K ${K}, seed ${seed}, samples ${samples}`).toBe(40);
      }
      // At readBits = K the two coordinates read identically: a coin decides, never both every time.
      expect(bothSucceed('exact-read', K, K, 1)).toBeLessThan(40);
    }
  });

  it('escalate: K + 2 always; K + 1 exactly when some scale exceeds 3/4 (once the scales lie on the read grid)', () => {
    const maxScale = (seed: number, samples: number) => Math.max(...noncomputabilityConstants({ algorithm: 'escalate', K: 16, readBits: 17, samples }, seed).scales);
    // samples 1: seed 3 has its one scale above 3/4, seed 1 below (0.64).
    expect(maxScale(3, 1)).toBeGreaterThan(0.75);
    expect(maxScale(1, 1)).toBeLessThan(0.75);
    for (const K of [16, 30]) {
      expect(bothSucceed('escalate', K, K + 1, 3, 1)).toBe(40);
      expect(bothSucceed('escalate', K, K + 1, 1, 1)).toBeLessThan(40);
      expect(bothSucceed('escalate', K, K + 2, 1, 1)).toBe(40);
      expect(bothSucceed('escalate', K, K + 2, 3, 1)).toBe(40);
    }
  });

  it('the document states these thresholds, and proves F4 from wrong-side images', () => {
    const doc = readFileSync(join(ROOT, 'docs/theory.md'), 'utf8');
    const row = (alg: string) => doc.split('\n').find((l) => l.startsWith(`| \`${alg}\` |`))!;
    expect(row('exact-read')).toContain('`1` for `n ≥ K + 1`');
    expect(row('escalate')).toContain('`1` when `B ≥ K + 2`, and already at `B = K + 1` when some scale `c_j > 3/4`');
    expect(doc).not.toMatch(/`1` for `n ≥ K \+ 2`/);
    const f4 = doc.slice(doc.indexOf('**F4 (the stable horn).**'), doc.indexOf('Together: with a fixed architecture'));
    expect(f4).toContain('Lemma C gives at least `q` images `p′_k` on the wrong side of `1/2`');
    expect(f4).toContain('overshoot');
  });
});
