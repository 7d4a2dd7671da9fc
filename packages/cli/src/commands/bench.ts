/** `paradox bench`: run the benchmark suite of a source checkout (bench/run.mjs). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliRuntimeError } from '../errors.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

/** The suite lives at the repository root, two levels above this package. */
const BENCH = fileURLToPath(new URL('../../../../bench/run.mjs', import.meta.url));

/** `paradox bench`. */
export const benchCommand: Command = {
  spec: {
    name: 'bench',
    summary: COMMAND_SUMMARIES.bench,
    details: 'Runs bench/run.mjs of the source checkout (the same as pnpm bench without the build);\narguments after -- are passed through unchanged.',
    positionals: [{ name: 'SUITE…', required: false, description: 'only these suites (default: all)' }],
    options: {
      quick: { type: 'boolean', description: 'small sizes: a smoke run in seconds, not a measurement (without SUITE: the fast suites only)' },
      write: { type: 'boolean', description: 'write bench/results/latest.json (tracked; default: bench/results/tmp/latest.json, untracked)' },
    },
    examples: ['paradox bench', 'paradox bench --quick', 'paradox bench --quick gemm'],
  },
  run: async (args, ctx) => {
    if (!existsSync(BENCH)) throw new CliRuntimeError(`bench: the benchmark suite is not here (${BENCH}); it ships with the source checkout, run it there with: pnpm bench`);
    const forwarded = [...(args.values.quick ? ['--quick'] : []), ...(args.values.write ? ['--write'] : []), ...args.positionals];
    const child = spawn(process.execPath, [BENCH, ...forwarded], { cwd: ctx.cwd, stdio: 'inherit' });
    return await new Promise<number>((resolveCode, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolveCode(code ?? (signal ? 130 : 1)));
    });
  },
};
