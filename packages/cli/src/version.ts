/**
 * The CLI's version and the provenance of the code that runs: the package version (read from
 * package.json at runtime, one source of truth), the SHA-256 of the core-wasm build that computes
 * every trial, the Node.js version, and the git commit when run from a checkout.
 */
import { execFile } from 'node:child_process';
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

/** `git ARGS` in `cwd` without blocking: its stdout, or null when git is missing or fails. */
function gitAsync(args: string[], cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8' }, (err, stdout) => resolve(err ? null : stdout));
  });
}

/**
 * `git rev-parse HEAD` of the checkout the CLI runs from, with `-dirty` when `git status` shows
 * changes to tracked files, or null (not a checkout, no git). Both git commands run at once.
 */
async function gitCommit(): Promise<string | null> {
  const cwd = dirname(fileURLToPath(import.meta.url));
  const [head, dirty] = await Promise.all([gitAsync(['rev-parse', 'HEAD'], cwd), gitAsync(['status', '--porcelain', '--untracked-files=no'], cwd)]);
  if (head === null) return null;
  return `${head.trim()}${dirty !== null && dirty.trim() !== '' ? '-dirty' : ''}`;
}

let pending: Promise<Provenance> | undefined;

/**
 * The provenance of this process's code, computed once per process with git running in the
 * background: `run`, `demo` and `resume` start it first thing, so the two git processes overlap
 * loading and checking the spec instead of blocking the start of the run (~50–80 ms wall).
 */
export function provenance(): Promise<Provenance> {
  pending ??= gitCommit().then((gitCommit) => ({ paradox: version(), coreWasmSha256: coreWasmSha256(), node: process.version, gitCommit }));
  return pending;
}

/** `paradox --version`: the version line, then the provenance one field a line. */
export function versionText(p: Provenance): string {
  return [`paradox ${p.paradox}`, `core-wasm build sha256 ${p.coreWasmSha256 ?? 'unknown'}`, `node ${p.node}`, `git commit ${p.gitCommit ?? 'none (not a checkout)'}`].join('\n');
}
