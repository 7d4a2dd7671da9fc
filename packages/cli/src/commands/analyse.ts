/**
 * `paradox analyse NET DATA`: a user's network (ONNX or paradox-network/1 JSON) on a user's data
 * (CSV, JSON, or NPY points with NPY labels): accuracy, per-point [certified, attacked] radius
 * brackets, robust accuracy at radii, the gap; per-point rows exported in the sweep export formats.
 */
import { extname, relative, resolve } from 'node:path';
import { choiceOption, intOption } from '../args.js';
import { emitJson, println } from '../context.js';
import { UsageError } from '../errors.js';
import { PLAIN_PROGRESS_MS } from '../progress/render.js';
import { coreAsUsage, readFileArg, readNetworkArg, refuseExistingOut } from './network-arg.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

const CMD = 'analyse';
const FORMATS = ['csv', 'json', 'parquet'] as const;

function fail(message: string, code = 'E_USAGE', cause?: unknown): never {
  throw new UsageError(`${CMD}: ${message}`, { command: CMD, code, cause });
}

/** A list of numbers `0.01,0.03`, each ≥ 0. */
function numberList(flag: string, raw: string): number[] {
  const v = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const out = v.map(Number);
  out.forEach((x, i) => {
    if (!Number.isFinite(x) || x < 0) fail(`--${flag} expects comma-separated numbers ≥ 0, got '${v[i]}'`);
  });
  if (out.length === 0) fail(`--${flag} expects at least one number`);
  return out;
}

function positive(flag: string, raw: string): number {
  const x = Number(raw);
  if (!(Number.isFinite(x) && x > 0)) fail(`--${flag} expects a number > 0, got '${raw}'`);
  return x;
}

const fmtR = (v: number): string => (v === Infinity ? '∞' : v.toPrecision(4));
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

type CoreModule = typeof import('@paradox/core-wasm');
type Data = import('@paradox/core-wasm').Dataset<Float64Array>;

/** Largest coordinate range of the data (ℓ2 diagonal of its bounding box). */
function diameter(core: CoreModule, data: Data): number {
  const { n, d } = core.dataShape(data);
  let s = 0;
  for (let k = 0; k < d; k++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, data.x[i * d + k]!);
      hi = Math.max(hi, data.x[i * d + k]!);
    }
    s += (hi - lo) ** 2;
  }
  return Math.sqrt(s) || 1;
}

/** The dichotomy section: Lemma C on the best candidate segments. */
function printDichotomy(
  ctx: Parameters<Command['run']>[1], core: CoreModule, c: import('@paradox/core-wasm').Core, net: import('@paradox/core-wasm').Network, data: Data, segments: number, tube: number, criterion: string,
): void {
  const segs = core.candidateSegments(data, tube, Math.max(segments * 4, 8)).slice(0, segments);
  const { n, d } = core.dataShape(data);
  println(ctx.stdout, `Dichotomy (Lemma C) on ${segs.length} segment${segs.length === 1 ? '' : 's'} through differently labelled points, tube ${fmtR(tube)}:`);
  segs.forEach((sg, k) => {
    let classes: [number, number] | undefined;
    if (criterion === 'multiclass') {
      // The two classes of the points the segment was drawn through.
      const near = (pt: Float64Array): number => {
        let best = 0;
        let bd = Infinity;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += (data.x[i * d + j]! - pt[j]!) ** 2;
          if (s < bd) {
            bd = s;
            best = i;
          }
        }
        return data.y[best]!;
      };
      const a = near(sg.p);
      const b = near(sg.q);
      if (a === b) return;
      classes = [a, b];
    }
    const r = core.dichotomy(c, net, data, { p: sg.p, q: sg.q, tube, ...(classes ? { classes } : {}) });
    const inacc = r.witnesses.filter((w) => w.kind === 'inaccurate').length;
    println(
      ctx.stdout,
      `  segment ${k + 1}${classes ? ` (classes ${classes[0]} vs ${classes[1]})` : ''}: ${r.points} points, ${r.alternations} label alternation${r.alternations === 1 ? '' : 's'}, ` +
        `P(N) = ${r.pieceBound}, ${r.pieces} pieces of this network; forced wrong or unstable: ${r.forcedArchitecture} for every network of this architecture, ` +
        `${r.forcedExact} for this one; found ${r.witnesses.length} (${inacc} inaccurate, ${r.witnesses.length - inacc} unstable within ${fmtR(tube)})`,
    );
    if (r.forcedArchitecture > 0) println(ctx.stdout, `    the bound stops forcing at hidden widths [${r.widthToStopForcing.join(', ')}] (one layer at a time) or ${r.uniformWidthToStopForcing} in every layer`);
  });
}

/** `paradox analyse`. */
export const analyseCommand: Command = {
  spec: {
    name: CMD,
    summary: COMMAND_SUMMARIES.analyse,
    details:
      'NET: an ONNX file of a fully connected ReLU network (Gemm/MatMul/Add/Relu/Flatten, input\n' +
      'normalisation folded in) or a paradox-network/1 JSON (tools/export_torch.py writes one from\n' +
      'a torch.nn.Sequential). DATA: CSV (label column last), paradox-data/1 JSON, or an NPY array\n' +
      'of points with --labels FILE.npy. Criterion: binary for one output (correct iff |φ − y| < 1/2),\n' +
      'multiclass (argmax; --argmin for the smallest output) otherwise. Per point: the attacked\n' +
      'radius (smallest witness of DeepFool, FGSM, PGD bisection, random search) and the certified\n' +
      'radius (CROWN or IBP with directed rounding): the true radius lies between them. Results hold\n' +
      'for the real-valued network with the weights as read (f32 weights are read exactly).',
    positionals: [
      { name: 'NET', required: true, description: 'network: .onnx or paradox-network/1 .json' },
      { name: 'DATA', required: true, description: 'data: .csv, .json or .npy (with --labels)' },
    ],
    options: {
      labels: { type: 'string', value: 'FILE', description: 'labels as .npy (with an .npy DATA)' },
      criterion: { type: 'string', value: 'C', description: 'binary or multiclass (default: from the output count)' },
      argmin: { type: 'boolean', description: 'multiclass: the class is the smallest output (e.g. ACAS Xu)' },
      norm: { type: 'string', value: 'N', description: 'linf (default) or l2' },
      radii: { type: 'string', value: 'LIST', description: 'radii for robust accuracy, e.g. 0.01,0.03 (default: maxRadius/10, /4, /2)' },
      'max-radius': { type: 'string', value: 'R', description: 'largest radius searched (default: the box width in linf, its diameter in l2, else 1)' },
      box: { type: 'string', value: 'LO,HI', description: 'input box, e.g. 0,1 for pixels (attacks stay inside)' },
      cert: { type: 'string', value: 'M', description: 'crown (default) or ibp' },
      points: { type: 'string', value: 'N', description: 'analyse only the first N points' },
      'exact-radius': { type: 'string', value: 'TOL', description: 'also each point\'s exact linf radius within relative TOL (complete verifier; small input dimension)' },
      seed: { type: 'string', value: 'S', description: 'seed of the attack streams (default 0)' },
      dichotomy: { type: 'string', value: 'N', description: 'Lemma C on the N best segments through differently labelled points' },
      tube: { type: 'string', value: 'W', description: 'dichotomy: points within distance W of a segment count (default: 5% of the data diameter)' },
      out: { type: 'string', short: 'o', value: 'FILE', description: 'per-point rows to FILE (.csv, .json or .parquet; never overwritten)' },
      json: { type: 'boolean', description: 'print the summary as one JSON object' },
    },
    examples: [
      'paradox analyse mnist-net_256x2.onnx mnist-x.npy --labels mnist-y.npy --box 0,1 --radii 0.01,0.03 --points 10',
      'paradox analyse net.json data.csv --norm l2 --out points.csv',
      'paradox analyse ACASXU_run2a_1_1_batch_2000.onnx inputs.csv --argmin --max-radius 0.1',
    ],
  },
  run: async (args, ctx) => {
    const core = await import('@paradox/core-wasm');
    const [netPath, dataPath] = args.positionals as [string, string];
    const v = args.values;
    const out = typeof v.out === 'string' ? resolve(ctx.cwd, v.out) : undefined;
    let format: (typeof FORMATS)[number] | undefined;
    if (out !== undefined) {
      format = choiceOption(CMD, 'out (extension)', extname(out).slice(1).toLowerCase(), FORMATS);
      refuseExistingOut(CMD, ctx.cwd, out);
    }

    const net = await readNetworkArg(CMD, ctx.cwd, netPath);
    const dataBytes = readFileArg(CMD, ctx.cwd, dataPath, 'data');
    if (extname(dataPath).toLowerCase() === '.npy' && typeof v.labels !== 'string') fail('an .npy DATA needs --labels FILE.npy');
    const labelBytes = typeof v.labels === 'string' ? new Uint8Array(readFileArg(CMD, ctx.cwd, v.labels, 'labels')) : undefined;
    const { data, box: fileBox } = coreAsUsage(CMD, dataPath, () => core.dataFromBytes(new Uint8Array(dataBytes), dataPath, labelBytes));
    const { n, d } = core.dataShape(data);
    if (d !== net.dims[0]) fail(`${dataPath} has points of ${d} coordinates but ${netPath} takes ${net.dims[0]} inputs`, 'E_SHAPE');

    let boxRange = fileBox;
    if (typeof v.box === 'string') {
      const b = v.box.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
      if (b.length !== 2 || !b.every(Number.isFinite) || !(b[0]! < b[1]!)) fail(`--box expects LO,HI with LO < HI, got '${v.box}'`);
      boxRange = [b[0]!, b[1]!];
    }
    const norm = typeof v.norm === 'string' ? choiceOption(CMD, 'norm', v.norm, ['linf', 'l2'] as const) : 'linf';
    const box = boxRange ? coreAsUsage(CMD, '--box', () => core.makeBox(d, boxRange[0], boxRange[1], data)) : null;
    // Default: the box's ℓ∞ width, or its diameter in ℓ2; 1 without a box.
    const maxRadius =
      typeof v['max-radius'] === 'string' ? positive('max-radius', v['max-radius']) : boxRange ? (boxRange[1] - boxRange[0]) * (norm === 'l2' ? Math.sqrt(d) : 1) : 1;
    const radii = typeof v.radii === 'string' ? numberList('radii', v.radii) : [maxRadius / 10, maxRadius / 4, maxRadius / 2];
    const criterion = typeof v.criterion === 'string' ? choiceOption(CMD, 'criterion', v.criterion, ['binary', 'multiclass'] as const) : undefined;
    const cert = typeof v.cert === 'string' ? choiceOption(CMD, 'cert', v.cert, ['crown', 'ibp'] as const) : 'crown';
    const limit = typeof v.points === 'string' ? intOption(CMD, 'points', v.points, 1, n) : n;
    const seed = typeof v.seed === 'string' ? intOption(CMD, 'seed', v.seed, 0) : 0;
    const exactTol = typeof v['exact-radius'] === 'string' ? positive('exact-radius', v['exact-radius']) : undefined;

    const segments = typeof v.dichotomy === 'string' ? intOption(CMD, 'dichotomy', v.dichotomy, 0, 1000) : 0;
    const tube = typeof v.tube === 'string' ? positive('tube', v.tube) : 0.05 * diameter(core, data);
    const c = await core.loadCore();
    const t0 = performance.now();
    // Progress: one line rewritten in place on a terminal; otherwise (a log, a pipe) whole lines,
    // at most one every PLAIN_PROGRESS_MS and the last one.
    const tty = ctx.stderr.isTTY === true;
    let lastLine = t0;
    const result = coreAsUsage(CMD, 'analyse', () =>
      core.analyse(c, net, data, { criterion, argmin: v.argmin === true, norm, radii, maxRadius, box, cert, seed, points: Array.from({ length: limit }, (_, i) => i), exactRadius: exactTol === undefined ? null : { tol: exactTol } }, (_p, done, total) => {
        if (v.json) return;
        if (tty) ctx.stderr.write(`\ranalysed ${done}/${total} points`);
        else if (done === total || performance.now() - lastLine >= PLAIN_PROGRESS_MS) {
          lastLine = performance.now();
          ctx.stderr.write(`analysed ${done}/${total} points\n`);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    if (!v.json && tty) ctx.stderr.write('\n');

    let written = 0;
    if (out !== undefined && format !== undefined) {
      const { tableStream } = await import('@paradox/orchestrator');
      const { writeRows } = await import('../export/write.js');
      const columns = [
        { name: 'index', type: 'int64' },
        { name: 'label', type: 'int64' },
        { name: 'predicted', type: 'int64' },
        { name: 'correct', type: 'boolean' },
        { name: 'score', type: 'double' },
        { name: 'certified', type: 'double' },
        { name: 'attacked', type: 'double' },
        { name: 'gap', type: 'double' },
        { name: 'attack', type: 'string' },
        { name: 'witness', type: 'string' },
        { name: 'droppedCandidates', type: 'int64' },
      ] as const;
      const exactColumns = exactTol === undefined ? [] : ([{ name: 'exactLower', type: 'double' }, { name: 'exactUpper', type: 'double' }, { name: 'exactStatus', type: 'string' }] as const);
      const rows = result.points.map(({ eta: _eta, exact, ...p }) => ({
        ...p,
        witness: p.witness ?? 'none',
        ...(exact ? { exactLower: exact.lower, exactUpper: exact.upper, exactStatus: exact.status } : {}),
      }));
      written = await writeRows(tableStream({ columns: [...columns, ...exactColumns], rows }), format, out, { what: 'point table' });
    }

    if (v.json) {
      emitJson(ctx, { type: 'analysis', network: netPath, data: dataPath, dims: net.dims, ...result, points: undefined, seconds, secondsPerPoint: seconds / result.n, out: out ? relative(ctx.cwd, out) : null });
      return 0;
    }
    const correct = result.points.filter((p) => p.correct).length;
    println(ctx.stdout, `Network ${netPath}: [${net.dims.join(', ')}], criterion ${result.criterion}${v.argmin === true ? ' (argmin)' : ''}, norm ${norm}${box ? `, box [${boxRange![0]}, ${boxRange![1]}]` : ''}`);
    println(ctx.stdout, `Accuracy: ${correct}/${result.n} = ${pct(result.accuracy)}`);
    println(ctx.stdout, 'Robust accuracy (certified ≤ true ≤ attacked):');
    for (const r of result.robust) println(ctx.stdout, `  radius ${fmtR(r.radius)}: ${pct(r.certified)} … ${pct(r.attacked)}`);
    if (correct > 0) {
      println(ctx.stdout, `Radius over the ${correct} correct points: certified median ${fmtR(result.medianCertified)}, attacked median ${fmtR(result.medianAttacked)}`);
    }
    if (result.gap.points > 0) {
      println(ctx.stdout, `Gap attacked − certified over ${result.gap.points} points: mean ${fmtR(result.gap.mean)}, median ${fmtR(result.gap.median)}, max ${fmtR(result.gap.max)}`);
    }
    const noWitness = result.points.filter((p) => p.correct && p.attacked === Infinity).length;
    if (noWitness > 0) println(ctx.stdout, `${noWitness} correct point${noWitness === 1 ? '' : 's'} without any witness up to radius ${fmtR(maxRadius)}`);
    const found = result.points.filter((p) => p.witness === 'confirmed' || p.witness === 'nudged').length;
    if (found > 0 || result.witnessChecks.dropped > 0) {
      const { nudged, dropped } = result.witnessChecks;
      println(
        ctx.stdout,
        `Witnesses checked in exact arithmetic: ${found} confirmed${nudged > 0 ? ` (${nudged} after a nudge outward)` : ''}` +
          `${dropped > 0 ? `, ${dropped} f64 witness${dropped === 1 ? '' : 'es'} dropped (not wrong for the exact network)` : ''}`,
      );
    }
    if (result.exactRadius) {
      const e = result.exactRadius;
      const stopped = e.points - e.converged;
      println(
        ctx.stdout,
        `Exact linf radius (complete verifier, tol ${exactTol}) over ${e.points} points: median in [${fmtR(e.medianLower)}, ${fmtR(e.medianUpper)}], ` +
          `${e.converged} converged${stopped > 0 ? `, ${stopped} stopped by the node limit` : ''}, widest bracket ${e.maxRelWidth.toPrecision(2)} relative`,
      );
    }
    if (result.certContradictions > 0) println(ctx.stdout, `WARNING: ${result.certContradictions} certified radii exceed an attack's (a soundness bug; please report)`);
    println(ctx.stdout, `Time: ${seconds.toFixed(1)} s for ${result.n} point${result.n === 1 ? '' : 's'} (${((1000 * seconds) / result.n).toFixed(0)} ms per point)`);
    if (out !== undefined) println(ctx.stdout, `Wrote ${written} point rows to ${relative(ctx.cwd, out)}`);
    if (segments > 0) printDichotomy(ctx, core, c, net, data, segments, tube, result.criterion);
    return 0;
  },
};
