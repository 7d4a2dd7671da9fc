/**
 * Worker threads (piscina) and the child processes of the crash tests cannot load TypeScript, so
 * they run the compiled package in dist/. Build it once before the tests so dist matches src (tsc,
 * then the stdlib bundle the build adds: scripts/bundle-stdlib.mjs).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle-stdlib.mjs'], { cwd: root, stdio: 'inherit' });
}
