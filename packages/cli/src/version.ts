/**
 * The CLI's version and the provenance of the code that runs: the package version (read from
 * package.json at runtime, one source of truth), the SHA-256 of the core-wasm build that computes
 * every trial, the Node.js version, and the git commit when run from a checkout.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package version. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Which code produced a run. */
export interface Provenance {
  paradox: string;
  /** SHA-256 (hex) of core-wasm's build/release.wasm, or null when it cannot be read. */
  coreWasmSha256: string | null;
  node: string;
  /** `git rev-parse HEAD` of the checkout the CLI runs from (with `-dirty` when it has changes), or null. */
  gitCommit: string | null;
}

function coreWasmSha256(): string | null {
  try {
    const path = createRequire(import.meta.url).resolve('@paradox/core-wasm/build/release.wasm');
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return null;
  }
}

function gitCommit(): string | null {
  const cwd = dirname(fileURLToPath(import.meta.url));
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return null;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.status === 0 && dirty.stdout.trim() !== '' ? '-dirty' : ''}`;
}

/** The provenance of this process's code. */
export function provenance(): Provenance {
  return { paradox: version(), coreWasmSha256: coreWasmSha256(), node: process.version, gitCommit: gitCommit() };
}

/** `paradox --version`: the version line, then the provenance one field a line. */
export function versionText(p: Provenance = provenance()): string {
  return [`paradox ${p.paradox}`, `core-wasm build sha256 ${p.coreWasmSha256 ?? 'unknown'}`, `node ${p.node}`, `git commit ${p.gitCommit ?? 'none (not a checkout)'}`].join('\n');
}
