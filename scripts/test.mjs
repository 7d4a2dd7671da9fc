#!/usr/bin/env node
// `pnpm test`: install if this is a fresh clone, build everything once, then run every package's
// tests one package at a time (the suites are CPU-heavy and the machines have 2 cores). A failing
// package never stops the others: each package's vitest runs as its own process, whatever happened
// before. The run ends with two plain lines CI can read:
//
//   N passed, N failed, N skipped
//   packages not run: none            (or the packages whose tests did not run or crashed, and why)
//
// The exit status is 0 only when nothing failed and every selected package ran to completion.
//
// Usage: `pnpm test [project…] [vitest args…]`. A bare argument naming a project (`cli`,
// `packages/cli`, `@paradox/cli`, `test`, `integration`) selects it; every other argument is passed
// to each vitest run (e.g. `-t name`). With no project named, all of them run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args, cwd = root) =>
  spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });

if (!existsSync(join(root, 'node_modules', '.modules.yaml'))) {
  const pnpm = process.env.npm_execpath;
  const r = pnpm
    ? run(process.execPath, [pnpm, 'install', '--frozen-lockfile'])
    : run('npx', ['--yes', 'pnpm@9', 'install', '--frozen-lockfile']);
  if (r.status !== 0) {
    console.log('\n0 passed, 0 failed, 0 skipped');
    console.log('packages not run: all (pnpm install failed)');
    process.exit(r.status || 1);
  }
}

/** Every test project, in dependency order; `aliases` are the names a user may select it by. */
const projects = [
  { dir: 'packages/core-wasm', aliases: ['core-wasm', '@paradox/core-wasm'] },
  { dir: 'packages/orchestrator', aliases: ['orchestrator', '@paradox/orchestrator'] },
  { dir: 'packages/viz', aliases: ['viz', '@paradox/viz'] },
  { dir: 'packages/cli', aliases: ['cli', '@paradox/cli'] },
  { dir: 'test', aliases: ['integration', '@paradox/integration-tests'] },
];
const selectedBy = (arg) => projects.find((p) => p.dir === arg.replace(/\/$/, '') || p.aliases.includes(arg));
const args = process.argv.slice(2);
const chosen = args.filter((a) => !a.startsWith('-') && selectedBy(a)).map(selectedBy);
const vitestArgs = args.filter((a) => a.startsWith('-') || !selectedBy(a));
const selected = chosen.length > 0 ? projects.filter((p) => chosen.includes(p)) : projects;

// One build of everything first (turbo caches it). A failed build does not stop the tests: the
// packages that built still run, and whatever depends on the broken one fails loudly on its own.
const build = run(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'build', '--continue']);
const buildFailed = build.status !== 0;

let passed = 0;
let failed = 0;
let skipped = 0;
/** Packages whose run did not complete honestly, with the reason. */
const notRun = [];
/** Every failed test or test file, as printed at the end. */
const failures = [];
/** The first lines of a failure message, without terminal colours. */
const firstLines = (msg, n = 6) =>
  String(msg ?? '')
    .replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s*at .*(node_modules|node:internal|<anonymous>)/.test(l))
    .slice(0, n)
    .map((l) => `      ${l.length > 300 ? `${l.slice(0, 300)}…` : l}`)
    .join('\n');
const vitest = join(root, 'node_modules', '.bin', 'vitest');
for (const p of selected) {
  const resultFile = join(root, p.dir, '.vitest-result.json');
  rmSync(resultFile, { force: true });
  console.log(`\n── ${p.dir} ──`);
  const r = run(vitest, ['run', ...vitestArgs], join(root, p.dir));
  const exit = r.status ?? `signal ${r.signal}`;
  if (!existsSync(resultFile)) {
    notRun.push(`${p.dir} (vitest exited with ${exit} before reporting results)`);
    continue;
  }
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  const failedTests = result.numFailedTests ?? 0;
  // A test file that fails to load or whose hooks throw has no failed test of its own: it counts
  // as one failure, so a broken import can never read as "0 failed".
  let failedFiles = 0;
  for (const f of result.testResults ?? []) {
    const file = relative(join(root, p.dir), f.name);
    const failedHere = (f.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failedHere) failures.push(`  ✗ ${p.dir} › ${file} › ${t.fullName}\n${firstLines(t.failureMessages?.[0])}`);
    if (f.status === 'failed' && failedHere.length === 0) {
      failedFiles += 1;
      failures.push(`  ✗ ${p.dir} › ${file} (the file failed outside its tests)\n${firstLines(f.message)}`);
    }
  }
  passed += result.numPassedTests ?? 0;
  failed += failedTests + failedFiles;
  skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  // Vitest exits non-zero for errors its JSON does not count (unhandled rejections, a worker that
  // died, a timed-out teardown): the package did not complete even when every test passed.
  if (r.status !== 0 && failedTests + failedFiles === 0) {
    notRun.push(`${p.dir} (crashed: vitest exited with ${exit} although no test failed; see its output above)`);
  }
}

if (failures.length > 0) console.log(`\n── failures ──\n${failures.join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
console.log(`packages not run: ${notRun.length > 0 ? notRun.join('; ') : 'none'}`);
if (buildFailed) console.log(`build failed: turbo exited with ${build.status ?? build.signal} (see above)`);
process.exit(failed === 0 && notRun.length === 0 && !buildFailed ? 0 : 1);
