/**
 * makeDirs: `mkdir -p` whose error is the system's real cause. Node's recursive mkdirSync says
 * ENOENT on a read-only file system and never returns under /proc.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileError, makeDirs } from '../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'paradox-mkdirs-'));

/** A read-only tmpfs, when this process may mount one (root on Linux); else undefined. */
function readOnlyMount(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
  const at = join(root, 'ro');
  mkdirSync(at);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', at], { encoding: 'utf8' });
  return r.status === 0 ? at : undefined;
}
const ro = readOnlyMount();

afterAll(() => {
  if (ro) execFileSync('umount', [ro]);
  rmSync(root, { recursive: true, force: true });
});

const codeOf = (f: () => void): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('makeDirs', () => {
  it('creates every missing level, and accepts a directory that exists', () => {
    const d = join(root, 'a', 'b', 'c');
    makeDirs(d);
    expect(statSync(d).isDirectory()).toBe(true);
    makeDirs(d);
  });

  it('names a file in the path (ENOTDIR), not a missing directory', () => {
    writeFileSync(join(root, 'file'), 'x');
    expect(codeOf(() => makeDirs(join(root, 'file', 'x')))).toBe('ENOTDIR');
    expect(String((fileError(Object.assign(new Error('x'), { code: 'ENOTDIR' }), '/p', 'create the run directory') as Error).message)).toBe(
      '/p: cannot create the run directory: a part of the path is not a directory (ENOTDIR)',
    );
  });

  it.skipIf(!existsSync('/proc/self'))('returns under /proc (recursive mkdirSync loops there forever)', () => {
    expect(codeOf(() => makeDirs('/proc/paradox-no-such-dir/run'))).toBe('ENOENT');
  });

  it.skipIf(ro === undefined)('says EROFS on a read-only file system (recursive mkdirSync says ENOENT)', () => {
    expect(codeOf(() => mkdirSync(join(ro!, 'run'), { recursive: true }))).toBe('ENOENT');
    expect(codeOf(() => makeDirs(join(ro!, 'run', 'sub')))).toBe('EROFS');
  });
});
