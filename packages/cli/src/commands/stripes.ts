/**
 * `paradox stripes export|judge`: the stripes problem of Result I for networks trained elsewhere.
 * `export` writes a trial's training set T (and validation set V) as CSV for the user's own
 * trainer; `judge NET` measures a network file (ONNX or paradox-network/1 JSON) on the same trial
 * with the built-in trial's own measurement stage (core-wasm `measureNetwork`): every column a
 * built-in method's trial has (accuracy, unstable share, radii, pieces, F3, F4, …).
 */
import { writeFileSync, renameSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { intOption } from '../args.js';
import { emitJson, println } from '../context.js';
import { UsageError } from '../errors.js';
import { coreAsUsage, readNetworkArg, refuseExistingOut } from './network-arg.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

const CMD = 'stripes';

function fail(message: string, code = 'E_USAGE', cause?: unknown): never {
  throw new UsageError(`${CMD}: ${message}`, { command: CMD, code, cause });
}

/** `paradox stripes`. */
export const stripesCommand: Command = {
  spec: {
    name: CMD,
    summary: COMMAND_SUMMARIES.stripes,
    details:
      'export: writes the training set T of trial --trial of the problem (--d, --m, --mu, --delta, --r, --s,\n' +
      '--seed) as CSV x1,…,xd,label (with --val, V instead). judge NET: loads NET (.onnx or\n' +
      'paradox-network/1 .json, inputs d, one output) and measures it on the same trial: accuracy on T\n' +
      'and V, the share unstable at μ, P(N), the exact pieces along the mid-line, F3 (forced count and\n' +
      'witnesses), and the min/median certified and attacked radius — the built-in trial\'s measurement.',
    positionals: [
      { name: 'ACTION', required: true, description: 'export or judge' },
      { name: 'NET', required: false, description: 'judge: the network file' },
    ],
    options: {
      d: { type: 'string', value: 'D', description: 'input dimension (default 2)' },
      m: { type: 'string', value: 'M', description: 'stripes (default 8)' },
      mu: { type: 'string', value: 'MU', description: 'hidden gap μ (default: the instability default)' },
      delta: { type: 'string', value: 'DELTA', description: 'data margin δ (default: the instability default)' },
      r: { type: 'string', value: 'R', description: 'training points (default 64)' },
      s: { type: 'string', value: 'S', description: 'validation points (default 64)' },
      seed: { type: 'string', value: 'SEED', description: 'seed (default 0)' },
      trial: { type: 'string', value: 'T', description: 'trial index (default 0)' },
      val: { type: 'boolean', description: 'export: the validation set V instead of T' },
      out: { type: 'string', short: 'o', value: 'FILE', description: 'export: the CSV file (never overwritten)' },
      json: { type: 'boolean', description: 'judge: print the measurements as one JSON object' },
    },
    examples: ['paradox stripes export --m 12 --seed 3 --out train.csv', 'paradox stripes judge net.onnx --m 12 --seed 3'],
  },
  run: async (args, ctx) => {
    const core = await import('@paradox/core-wasm');
    const v = args.values;
    const action = args.positionals[0];
    if (action !== 'export' && action !== 'judge') fail(`ACTION must be export or judge, got '${action}'`);
    const params: Record<string, number> = {};
    for (const k of ['d', 'm', 'r', 's'] as const) if (typeof v[k] === 'string') params[k] = intOption(CMD, k, v[k], 0);
    for (const k of ['mu', 'delta'] as const) {
      if (typeof v[k] === 'string') {
        const x = Number(v[k]);
        if (!Number.isFinite(x)) fail(`--${k} expects a number, got '${v[k]}'`);
        params[k] = x;
      }
    }
    const { normaliseInstabilityParams, measureNetwork } = await import('@paradox/core-wasm/instability');
    const p = coreAsUsage(CMD, 'problem', () => normaliseInstabilityParams(params), 'E_ARG');
    const stream = { seed: typeof v.seed === 'string' ? intOption(CMD, 'seed', v.seed, 0) : 0, streamHi: 0, trial: typeof v.trial === 'string' ? intOption(CMD, 'trial', v.trial, 0, 2 ** 32 - 1) : 0 };
    const c = await core.loadCore();
    if (action === 'export') {
      if (typeof v.out !== 'string') fail('export: --out FILE is required');
      const out = resolve(ctx.cwd, v.out);
      refuseExistingOut(CMD, ctx.cwd, out);
      const { train, val } = core.trialData(c, p, stream);
      const set = v.val === true ? val : train;
      const head = [...Array.from({ length: p.d }, (_, k) => `x${k + 1}`), 'label'].join(',');
      const n = set.y.length;
      const rows = Array.from({ length: n }, (_, i) => [...set.x.subarray(i * p.d, (i + 1) * p.d), set.y[i]].join(','));
      const tmp = `${out}.tmp-${process.pid}`;
      writeFileSync(tmp, `${head}\n${rows.join('\n')}\n`);
      renameSync(tmp, out);
      println(ctx.stdout, `Wrote ${n} ${v.val === true ? 'validation' : 'training'} points (d = ${p.d}, m = ${p.m}, μ = ${p.mu}, seed ${stream.seed}, trial ${stream.trial}) to ${relative(ctx.cwd, out)}`);
      return 0;
    }
    const netPath = args.positionals[1];
    if (netPath === undefined) fail('judge: the network file NET is required');
    const net = await readNetworkArg(CMD, ctx.cwd, netPath);
    const { network: _n, train: _t, val: _v, points: _p, ...j } = coreAsUsage(CMD, netPath, () => measureNetwork(c, p, stream, net), 'E_ARG');
    if (v.json === true) {
      emitJson(ctx, { type: 'judged', network: netPath, ...j });
      return 0;
    }
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    println(ctx.stdout, `Network ${netPath}: [${net.dims.join(', ')}] on stripes d = ${p.d}, m = ${p.m}, μ = ${p.mu} (seed ${stream.seed}, trial ${stream.trial})`);
    println(ctx.stdout, `Accuracy: T ${pct(j.trainAccuracy)}${Number.isNaN(j.valAccuracy) ? '' : `, V ${pct(j.valAccuracy)}`}; stripes covered ${j.stripesCovered}/${p.m}`);
    println(ctx.stdout, `Unstable at radius μ: ${pct(j.unstableShare)} of T ∪ V (misclassified, or an attack found a flip within μ)`);
    println(ctx.stdout, `P(N) = ${j.pieceBound}, ${j.piecesMidline} pieces along the mid-line`);
    println(
      ctx.stdout,
      `F3: ${j.f3.predicted} stripes forced for every network of this architecture (${j.f3.predictedExact} for this one), ${j.f3.witnesses} stripes with a witness${j.f3.applies ? ' (F3 applies: accurate on T ∪ V, so these are instabilities at radius μ)' : ''}`,
    );
    println(ctx.stdout, `Radius: certified min ${j.radius.certMin.toPrecision(4)}, median ${j.radius.certMedian.toPrecision(4)}; attacked min ${j.radius.attackMin.toPrecision(4)}, median ${j.radius.attackMedian.toPrecision(4)}`);
    return 0;
  },
};
