/**
 * Running the built `paradox` binary as a user would (a child process of `node
 * packages/cli/dist/bin.js`), for the CLI end-to-end tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Repository root. */
export const ROOT = new URL('..', import.meta.url).pathname;
/** The binary under test. */
export const BIN = join(ROOT, 'packages/cli/dist/bin.js');

let userEnv_: NodeJS.ProcessEnv | undefined;

/**
 * The environment of a user who installed `paradox` on their PATH and typed it in a shell: a
 * `paradox` executable in a directory of its own first on PATH, and none of the npm/pnpm
 * variables of the process running the tests (`npx pnpm@9 test` sets npm_config_user_agent,
 * which the CLI reads to word its "run `… resume DIR`" hints for someone who used pnpm).
 */
export function userEnv(): NodeJS.ProcessEnv {
  if (userEnv_ === undefined) {
    const bin = mkdtempSync(join(tmpdir(), 'paradox-path-'));
    const exe = join(bin, 'paradox');
    writeFileSync(exe, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(exe, 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
    for (const k of Object.keys(env)) if (k.startsWith('npm_') || k.startsWith('PNPM_') || k === 'INIT_CWD') delete env[k];
    userEnv_ = env;
  }
  return userEnv_;
}

/** Fails fast with a clear message when the CLI has not been built. */
export function requireBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npx pnpm@9 build)`);
}

/** A fresh scratch directory for one test. */
export function scratch(prefix = 'paradox-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The scratch directory of a CLI test file, for its `beforeAll`: fails fast when the CLI is not
 * built, then writes `files` (name → contents) into a fresh directory and returns its path.
 */
export function specDir(files: Record<string, string | Uint8Array> = {}, prefix?: string): string {
  requireBuilt();
  const dir = scratch(prefix);
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(dir, name), contents);
  return dir;
}

/**
 * A noncomputability spec of gd and Adam at K = 8 with the sign hidden (readBits 4) and revealed
 * (readBits 16), 2000 optimiser steps per trial, batches of 20 unless given: slow enough (tens of batches) that
 * a signal or a closed pipe reaches the run while it is going. Name, seed, ε grid and trial count
 * are each test's own, so their runs stay distinct.
 */
export function slowSpec(o: { name: string; seed: number; epsilons: number[]; trials: number; batch?: number }): string {
  return `name: ${o.name}
experiment: noncomputability
seed: ${o.seed}
grid:
  algorithm: [gd, adam]
  K: [8]
  readBits: [4, 16]
fixed:
  steps: 2000
  epsilons: [${o.epsilons.join(', ')}]
trials: ${o.trials}
batch: ${o.batch ?? 20}
`;
}

/** What a finished invocation produced. */
export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `paradox ARGS` to completion (no TTY: stdout and stderr are pipes). */
export function paradox(args: string[], options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: { ...userEnv(), ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `paradox ARGS` in the background, collecting its output. */
export function paradoxAsync(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): { child: ChildProcess; done: Promise<Result>; output: () => Result } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...userEnv(), ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Result>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => ({ code: null, stdout, stderr }) };
}

/**
 * Waits for a child started by `paradoxAsync` to print something: `probe` is asked about the
 * output so far every 20 ms, and the first value it returns that is not false, null or undefined
 * resolves the promise. Rejects, naming `what` and with the child's stderr, if the child exits
 * first. Synchronises on the output itself, never on elapsed time.
 */
export function waitForOutput<T>(
  p: { done: Promise<Result>; output: () => Result },
  probe: (out: Result) => T | false | null | undefined,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setInterval(() => {
      const v = probe(p.output());
      if (v !== false && v !== null && v !== undefined) {
        clearInterval(timer);
        resolve(v);
      }
    }, 20);
    p.done.then(
      (r) => {
        clearInterval(timer);
        reject(new Error(`exited (code ${r.code}) before ${what}:\n${r.stderr}`));
      },
      (e: unknown) => {
        clearInterval(timer);
        reject(e);
      },
    );
  });
}

/** Parses NDJSON stdout, failing on any line that is not a JSON object. */
export function ndjson(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const v = JSON.parse(l) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not a JSON object line: ${l}`);
      return v as Record<string, unknown>;
    });
}

/** A small RFC 4180 reader (quoted fields, doubled quotes), independent of the CLI's writer. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** A plugin that answers like a fixed hedge, and throws on ~10 % of trials when PARADOX_TEST_PLUGIN_THROWS=1. */
export const FLAKY = `export default {
  name: 'flaky',
  run(ctx) {
    if (process.env.PARADOX_TEST_PLUGIN_THROWS === '1' && ctx.rng.uniform() < 0.1) throw new RangeError('flaky plugin gave up');
    ctx.read(Math.min(ctx.budget, 8));
    const w = new Float64Array(ctx.width * ctx.d);
    const v = new Float64Array(ctx.width);
    w[0] = 1;
    w[1] = 1;
    v[0] = 0.5;
    return { network: { w, v }, steps: 0 };
  },
};
`;

/** One part of a noncomputability spec whose algorithm is the plugin at `plugin` (the FLAKY one by default): K = 6, 60 trials in batches of 2. */
export const flakyPart = (name: string, plugin = './flaky.mjs'): string => `name: ${name}
experiment: noncomputability
seed: 5
grid:
  K: [6]
fixed:
  algorithm: plugin
  plugin: ${plugin}
  readBits: 4
  epsilons: [0.1, 0.6]
trials: 60
batch: 2
`;
