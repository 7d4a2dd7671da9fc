#!/usr/bin/env node
// `pnpm test`: install if this is a fresh clone, build what the tests need, run every package's
// tests one package at a time (the suites are CPU-heavy and the machines have 2 cores), then print
// one plain closing line with the totals.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env }).status ?? 1;

if (!existsSync(join(root, 'node_modules', '.modules.yaml'))) {
  const pnpm = process.env.npm_execpath;
  const status = pnpm ? run(process.execPath, [pnpm, 'install', '--frozen-lockfile']) : run('npx', ['--yes', 'pnpm@9', 'install', '--frozen-lockfile']);
  if (status !== 0) process.exit(status);
}

const projects = ['packages/core-wasm', 'packages/orchestrator', 'packages/viz', 'packages/cli', 'test'];
const resultFile = (p) => join(root, p, '.vitest-result.json');
for (const p of projects) rmSync(resultFile(p), { force: true });

const status = run(join(root, 'node_modules', '.bin', 'turbo'), ['run', 'test', '--concurrency=1', ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const p of projects) {
  if (!existsSync(resultFile(p))) continue;
  const r = JSON.parse(readFileSync(resultFile(p), 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
