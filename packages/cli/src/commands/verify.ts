/**
 * `paradox verify NET PROPERTY`: decide a VNN-LIB property for a network by complete verification
 * (core-wasm `verify`: branch and bound, sound in floating point at both ends). Writes the
 * VNN-COMP result (`unsat` = the property holds, `sat` with the counterexample, `timeout`, or
 * `unknown` when a node or memory limit stopped it) to stdout or --out, and a summary line.
 */
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { intOption } from '../args.js';
import { emitJson, println } from '../context.js';
import { UsageError } from '../errors.js';
import { coreAsUsage, readFileArg, readNetworkArg, refuseExistingOut } from './network-arg.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

const CMD = 'verify';

function fail(message: string, code = 'E_USAGE', cause?: unknown): never {
  throw new UsageError(`${CMD}: ${message}`, { command: CMD, code, cause });
}

export const verifyCommand: Command = {
  spec: {
    name: CMD,
    summary: COMMAND_SUMMARIES.verify,
    details:
      'NET: .onnx (fully connected ReLU) or paradox-network/1 .json. PROPERTY: a .vnnlib file of the\n' +
      'VNN-COMP ACAS Xu/MNIST subset (declare-const, bounds on X_i, and/or of linear inequalities over\n' +
      'Y_i describing the unsafe outputs). Branch and bound over input boxes with CROWN/IBP bounds\n' +
      'under directed rounding; a counterexample is reported only when its exact outputs are proved\n' +
      'unsafe. Result (VNN-COMP format): unsat (the property holds), sat and the counterexample,\n' +
      'timeout, or unknown (node/memory limit). Exit 0 for every decided or undecided result.',
    positionals: [
      { name: 'NET', required: true, description: 'network: .onnx or paradox-network/1 .json' },
      { name: 'PROPERTY', required: true, description: 'property: .vnnlib' },
    ],
    options: {
      timeout: { type: 'string', value: 'S', description: 'seconds before giving up (default 60)' },
      'max-nodes': { type: 'string', value: 'N', description: 'largest number of sub-domains bounded (default 200000)' },
      seed: { type: 'string', value: 'S', description: 'seed of the attack points (default 0)' },
      out: { type: 'string', short: 'o', value: 'FILE', description: 'write the VNN-COMP result to FILE (never overwritten)' },
      json: { type: 'boolean', description: 'print the outcome as one JSON object' },
    },
    examples: [
      'paradox verify ACASXU_run2a_1_1_batch_2000.onnx prop_1.vnnlib --timeout 60',
      'paradox verify net.json robustness.vnnlib --out result.txt',
    ],
  },
  run: async (args, ctx) => {
    const core = await import('@paradox/core-wasm');
    const [netPath, propPath] = args.positionals as [string, string];
    const v = args.values;
    const timeout = typeof v.timeout === 'string' ? Number(v.timeout) : 60;
    if (!(Number.isFinite(timeout) && timeout > 0)) fail(`--timeout expects seconds > 0, got '${String(v.timeout)}'`);
    const maxNodes = typeof v['max-nodes'] === 'string' ? intOption(CMD, 'max-nodes', v['max-nodes'], 1) : 200_000;
    const seed = typeof v.seed === 'string' ? intOption(CMD, 'seed', v.seed, 0) : 0;
    const out = typeof v.out === 'string' ? resolve(ctx.cwd, v.out) : undefined;
    if (out !== undefined) refuseExistingOut(CMD, ctx.cwd, out);
    const net = await readNetworkArg(CMD, ctx.cwd, netPath);
    const text = readFileArg(CMD, ctx.cwd, propPath, 'property').toString('utf8');
    const nIn = net.dims[0]!;
    const nOut = net.dims[net.dims.length - 1]!;
    const property = coreAsUsage(CMD, propPath, () => core.parseVnnlib(text, nIn, nOut));
    const c = await core.loadCore();
    const r = core.verify(c, net, property, { timeLimit: timeout, maxNodes, seed });
    const result = core.vnncompResult(r);
    if (out !== undefined) writeFileSync(out, result, { flag: 'wx' });
    if (v.json) {
      emitJson(ctx, {
        type: 'verify', network: netPath, property: propPath, verdict: r.verdict, result: result.split('\n')[0],
        reason: r.reason ?? null, witness: r.witness ? { x: Array.from(r.witness.x), y: Array.from(r.witness.y) } : null,
        nodes: r.nodes, splits: r.splits, seconds: r.seconds, out: out ? relative(ctx.cwd, out) : null,
      });
      return 0;
    }
    if (out === undefined) ctx.stdout.write(result);
    const what =
      r.verdict === 'verified' ? 'the property holds (unsat)'
      : r.verdict === 'falsified' ? 'counterexample found (sat)'
      : `undecided: ${r.reason === 'time' ? `time limit ${timeout} s` : r.reason === 'nodes' ? `node limit ${maxNodes}` : 'memory limit'} (${r.reason === 'time' ? 'timeout' : 'unknown'})`;
    println(ctx.stdout, `${netPath} ${propPath}: ${what} after ${r.nodes} sub-domain${r.nodes === 1 ? '' : 's'} (${r.splits.input} input and ${r.splits.relu} ReLU split${r.splits.relu === 1 ? '' : 's'}) in ${r.seconds.toFixed(2)} s${out ? `; result in ${relative(ctx.cwd, out)}` : ''}`);
    return 0;
  },
};
