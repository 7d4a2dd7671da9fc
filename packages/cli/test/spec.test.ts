import { describe, expect, it } from 'vitest';
import { allowedWords, suggestForIssue } from '../src/spec.js';

describe('spec error suggestions', () => {
  it('reads the allowed words from the orchestrator and core-wasm phrasings', () => {
    expect(allowedWords('one of: local, bullmq')).toEqual(['local', 'bullmq']);
    expect(allowedWords('one of the keys: name, experiment, seed')).toEqual(['name', 'experiment', 'seed']);
    expect(allowedWords('one of "adversarial", "honest"')).toEqual(['adversarial', 'honest']);
    expect(allowedWords('an algorithm name (gd, sgd, adam, exact-read, plugin)')).toEqual(['gd', 'sgd', 'adam', 'exact-read', 'plugin']);
    expect(allowedWords('a parameter of noncomputability: algorithm, K, lambda')).toEqual(['algorithm', 'K', 'lambda']);
    expect(allowedWords('an integer in [1, 1000]')).toEqual([]);
  });

  it('suggests the key for an unknown key and the value for a bad choice', () => {
    const keys = 'one of the keys: name, experiment, seed, grid, zip, fixed, trials, stop';
    expect(suggestForIssue({ path: 'experimnt', value: 'noncomputability', allowed: keys, message: 'experimnt: unknown key; expected ' + keys })).toBe('experiment');
    expect(suggestForIssue({ path: 'backend', value: 'locl', allowed: 'one of: local, bullmq', message: 'backend: expected one of: local, bullmq, got "locl"' })).toBe('local');
    expect(suggestForIssue({ path: 'grid.algorithm[1]', value: 'exact_read', allowed: 'an algorithm name (gd, exact-read)', message: '…' })).toBe('exact-read');
    const params = 'a parameter of instability: d, m, hidden, norm';
    expect(suggestForIssue({ path: 'fixed.hiden', value: [8], allowed: params, message: `fixed.hiden: unknown parameter; expected ${params}` })).toBe('hidden');
    expect(suggestForIssue({ path: 'seed', value: -1, allowed: 'an integer in [0, 2^53 − 1]', message: '…' })).toBeUndefined();
    expect(suggestForIssue({ path: 'backend', value: 'zzzzzz', allowed: 'one of: local, bullmq', message: '…' })).toBeUndefined();
  });
});
