// Importable elsewhere: pack the package as it would be published, install the tarball with npm
// into a temporary project outside the workspace, and run the README example there.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * How to run pnpm: the one running this script when there is one (`npx pnpm@9 test` does not put
 * pnpm on PATH), else `pnpm` from PATH.
 */
function pnpmCommand(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return /\.c?js$/.test(execPath) ? [process.execPath, [execPath]] : [execPath, []];
  return ['pnpm', []];
}

/** The first ```js block of the README (the minimal example). */
function readmeExample(): string {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const m = /```js\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md has no ```js example');
  return m[1]!;
}

describe('packaging', () => {
  it('pnpm pack → npm install in a fresh project → the README example runs', () => {
    expect(existsSync(join(pkgDir, 'build', 'release.wasm')), 'build the package first (pnpm build)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'paradox-core-pack-'));
    try {
      const [cmd, pre] = pnpmCommand();
      execFileSync(cmd, [...pre, 'pack', '--pack-destination', dir], { cwd: pkgDir, stdio: 'pipe' });
      const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
      expect(tgz).toBeDefined();
      const app = join(dir, 'app');
      execFileSync('mkdir', [app]);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, tgz!)], { cwd: app, stdio: 'pipe' });
      const installed = JSON.parse(readFileSync(join(app, 'node_modules', '@paradox', 'core-wasm', 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(installed.name).toBe('@paradox/core-wasm');
      // No workspace or catalog protocols may leak into the published manifest.
      expect(JSON.stringify(installed)).not.toMatch(/workspace:|catalog:/);
      writeFileSync(join(app, 'example.mjs'), readmeExample());
      const out = execFileSync('node', ['example.mjs'], { cwd: app, encoding: 'utf8' });
      expect(out).toMatch(/final loss \d+\.\d+, accuracy \d+\.\d%/);
      expect(out).toMatch(/\d+ linear pieces along x2 = 1\/2 \(at most P\(N\) = 289\)/);
      // The reference entry point resolves too.
      writeFileSync(join(app, 'ref.mjs'), "import { referenceForward } from '@paradox/core-wasm/reference';\nconsole.log(typeof referenceForward);\n");
      expect(execFileSync('node', ['ref.mjs'], { cwd: app, encoding: 'utf8' }).trim()).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
