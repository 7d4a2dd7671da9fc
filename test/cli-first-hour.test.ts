/**
 * The first hour of a new user: `paradox` from the repository root after install, and a run whose
 * reader stops early (`paradox run … --json | head -1`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '@paradox/orchestrator';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, paradox, ROOT, slowSpec, specDir } from './cli-helpers.js';

// Slow enough (≈ 60 batches of gradient-descent trials) that the reader is gone long before the end.
const SPEC = slowSpec({ name: 'piped', seed: 5, epsilons: [0.1, 0.5], trials: 300 });

let dir: string;
beforeAll(() => {
  dir = specDir({ 'piped.yaml': SPEC });
});

describe('a closed stdout (EPIPE)', () => {
  it('`paradox run … --json | head -1` ends the run cleanly: exit 0, no stack trace, resumable to the full result', () => {
    const sh = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" run piped.yaml --json --out piped --workers 1 | head -1; echo "paradox-exit=\${PIPESTATUS[0]}" >&2`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(JSON.parse(sh.stdout.trim())).toMatchObject({ type: expect.any(String) });
    expect(sh.stderr).toContain('paradox-exit=0');
    expect(sh.stderr).not.toMatch(/EPIPE|\n\s+at /);
    const partial = JSON.parse(readFileSync(join(dir, 'piped/summary.json'), 'utf8')) as Summary;
    expect(partial.run.complete).toBe(false);
    // spec.json records the code that ran (what --version prints); a resume by other code warns.
    const specFile = join(dir, 'piped/spec.json');
    const stored = JSON.parse(readFileSync(specFile, 'utf8')) as { provenance: Record<string, string> };
    const version = paradox(['--version']).stdout;
    expect(version).toContain(`paradox ${stored.provenance.paradox}\ncore-wasm build sha256 ${stored.provenance.coreWasmSha256}\nnode ${stored.provenance.node}\n`);
    expect(stored.provenance.coreWasmSha256).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(specFile, JSON.stringify({ ...stored, provenance: { ...stored.provenance, coreWasmSha256: 'ab'.repeat(32) } }, null, 2));
    const resumed = paradox(['resume', 'piped'], { cwd: dir, timeoutMs: 300_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`warning: piped was started by other code (core-wasm build abababababab… → ${stored.provenance.coreWasmSha256!.slice(0, 12)}…)`);
    const done = JSON.parse(readFileSync(join(dir, 'piped/summary.json'), 'utf8')) as Summary;
    expect(done.run.complete).toBe(true);
    expect(done.run.trialsDone).toBe(4 * 300);
  }, 600_000);
});

describe('paradox from the repository root', () => {
  it('`npx pnpm@9 exec paradox` runs the CLI after install, and its hints print that command', () => {
    const v = spawnSync('npx', ['--yes', 'pnpm@9', 'exec', 'paradox', '--version'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^paradox \d+\.\d+\.\d+/);
    // A hint that tells the user what to run next names a command that works here: running into
    // an existing run directory (a tiny run of its own, so this test stands alone).
    writeFileSync(join(dir, 'tiny.yaml'), SPEC.replace('name: piped', 'name: tiny').replace('steps: 2000', 'steps: 20').replace('trials: 300', 'trials: 4').replace('batch: 20', 'batch: 2'));
    const first = paradox(['run', 'tiny.yaml', '--out', 'tiny', '--workers', '1'], { cwd: dir, timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    const r = spawnSync('npx', ['--yes', 'pnpm@9', 'exec', 'paradox', 'run', join(dir, 'tiny.yaml'), '--out', join(dir, 'tiny')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(2);
    const hint = /to continue that run: (.*) resume /.exec(r.stderr)?.[1];
    expect(['pnpm paradox', 'npx pnpm@9 paradox']).toContain(hint);
  }, 300_000);

  it('the installed bin is a committed file, so install links it before any build', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { bin: Record<string, string> };
    const tracked = spawnSync('git', ['ls-files', '--error-unmatch', join('packages/cli', pkg.bin.paradox!)], { cwd: ROOT, encoding: 'utf8' });
    expect(tracked.status, tracked.stderr).toBe(0);
  });
});

describe('paradox bench --quick', () => {
  it('writes its results to an untracked file, leaving the tracked bench/results/latest.json alone', () => {
    const tracked = join(ROOT, 'bench/results/latest.json');
    const before = readFileSync(tracked, 'utf8');
    // --quick alone is the smoke set (seconds of CPU), not every suite's quick mode (minutes).
    const r = paradox(['bench', '--quick'], { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bench --quick: smoke run of core-training, instability, noncomputability, roofline; not run (minutes even when quick): ');
    const ran = [...r.stdout.matchAll(/^== (\S+) \(quick\)$/gm)].map((m) => m[1]);
    expect(ran).toEqual(['core-training', 'instability', 'noncomputability', 'roofline']);
    expect(r.stdout).toMatch(/bench: [\d.]+ s wall, [\d.]+ CPU-seconds in this process and its threads/);
    expect(r.stdout).toContain(`wrote ${join(ROOT, 'bench/results/tmp/latest.json')} (untracked`);
    expect(readFileSync(tracked, 'utf8')).toBe(before);
    const ignored = spawnSync('git', ['check-ignore', 'bench/results/tmp/latest.json'], { cwd: ROOT, encoding: 'utf8' });
    expect(ignored.status).toBe(0);
  }, 300_000);
});

describe('npx pnpm@9 install', () => {
  it('ends without "build scripts were ignored": every installed package with an install script is named in pnpm.onlyBuiltDependencies', () => {
    const allowed = new Set((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { pnpm: { onlyBuiltDependencies: string[] } }).pnpm.onlyBuiltDependencies);
    const store = join(ROOT, 'node_modules', '.pnpm');
    const withScripts = new Set<string>();
    for (const entry of readdirSync(store)) {
      const nm = join(store, entry, 'node_modules');
      if (!existsSync(nm)) continue;
      // The package itself is node_modules/<name> (or @scope/name) inside its store folder.
      const at = entry.lastIndexOf('@');
      const name = (at > 0 ? entry.slice(0, at) : entry).replace('+', '/');
      const pkg = join(nm, name, 'package.json');
      if (!existsSync(pkg)) continue;
      const scripts = (JSON.parse(readFileSync(pkg, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
      if (scripts['preinstall'] || scripts['install'] || scripts['postinstall']) withScripts.add(name);
    }
    expect(withScripts.size).toBeGreaterThan(0);
    expect([...withScripts].filter((n) => !allowed.has(n)).sort()).toEqual([]);
  });
});
