import { describe, expect, it } from 'vitest';
import { suggestForIssue } from '../src/spec.js';

describe('spec error suggestions', () => {
  it('suggests from the structured choices: the key for an unknown key, the value for a bad choice', () => {
    const keys = ['name', 'experiment', 'seed', 'grid', 'zip', 'fixed', 'trials', 'stop'];
    expect(suggestForIssue({ path: 'experimnt', value: 'noncomputability', allowed: 'x', message: 'x', choices: keys, unknownKey: true })).toBe('experiment');
    expect(suggestForIssue({ path: 'backend', value: 'locl', allowed: 'x', message: 'x', choices: ['local', 'bullmq'] })).toBe('local');
    expect(suggestForIssue({ path: 'grid.algorithm[1]', value: 'exact_read', allowed: 'x', message: 'x', choices: ['gd', 'exact-read'] })).toBe('exact-read');
    expect(suggestForIssue({ path: 'fixed.hiden', value: [8], allowed: 'x', message: 'x', choices: ['d', 'm', 'hidden', 'norm'], unknownKey: true })).toBe('hidden');
  });

  it('suggests nothing without choices, for a far word, or for a word already allowed', () => {
    // The allowed text lists words, but only the structured field counts: nothing parses a message.
    expect(suggestForIssue({ path: 'backend', value: 'locl', allowed: 'one of: local, bullmq', message: 'backend: expected one of: local, bullmq, got "locl"' })).toBeUndefined();
    expect(suggestForIssue({ path: 'seed', value: -1, allowed: 'an integer in [0, 2^53 − 1]', message: '…' })).toBeUndefined();
    expect(suggestForIssue({ path: 'backend', value: 'zzzzzz', allowed: 'x', message: '…', choices: ['local', 'bullmq'] })).toBeUndefined();
    expect(suggestForIssue({ path: 'backend', value: 42, allowed: 'x', message: '…', choices: ['local', 'bullmq'] })).toBeUndefined();
  });
});
