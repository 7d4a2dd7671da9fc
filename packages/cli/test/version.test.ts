/** Provenance: computed in the background, once, and the same as git says synchronously. */
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { provenance, version, versionText } from '../src/version.js';

describe('provenance', () => {
  it('records the checkout commit (with -dirty when tracked files changed) as git reports it, or null outside one', async () => {
    const cwd = dirname(fileURLToPath(new URL('../src/version.ts', import.meta.url)));
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
    const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
    const expected = head.status !== 0 ? null : `${head.stdout.trim()}${status.status === 0 && status.stdout.trim() !== '' ? '-dirty' : ''}`;
    const p = await provenance();
    expect(p.gitCommit).toBe(expected);
    expect(p.paradox).toBe(version());
    expect(p.node).toBe(process.version);
    expect(p.coreWasmSha256).toMatch(/^[0-9a-f]{64}$/);
    // Computed once per process: every caller gets the same answer.
    expect(provenance()).toBe(provenance());
    expect(await provenance()).toBe(p);
  });

  it('versionText prints each field, and says when there is no checkout or no core build', () => {
    const text = versionText({ paradox: '1.2.3', coreWasmSha256: null, node: 'v20.0.0', gitCommit: null });
    expect(text).toBe('paradox 1.2.3\ncore-wasm build sha256 unknown\nnode v20.0.0\ngit commit none (not a checkout)');
    expect(versionText({ paradox: '1.2.3', coreWasmSha256: 'ab'.repeat(32), node: 'v20.0.0', gitCommit: 'f00-dirty' })).toContain('git commit f00-dirty');
  });
});
