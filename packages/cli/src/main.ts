/**
 * The `paradox` command line: dispatch to a subcommand, global flags (`--help`, `--version`,
 * `--debug`), and the one place errors turn into messages and exit codes (0 ok, 1 runtime
 * failure, 2 bad usage or spec, 130 interrupted).
 */
import { GLOBAL_OPTIONS, helpRow, helpText, parseCommandArgs } from './args.js';
import { analyseCommand } from './commands/analyse.js';
import { stripesCommand } from './commands/stripes.js';
import { benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { explainCommand } from './commands/explain.js';
import { exploreCommand } from './commands/explore.js';
import { exportCommand } from './commands/export.js';
import { presetsCommand } from './commands/presets.js';
import { reportCommand } from './commands/report.js';
import { resumeCommand } from './commands/resume.js';
import { runCommand } from './commands/run.js';
import type { Command } from './commands/types.js';
import { verifyCommand } from './commands/verify.js';
import { workerCommand } from './commands/worker.js';
import { emitJson, println, type Context } from './context.js';
import { codeOf, exitCodeOf, formatError, UsageError } from './errors.js';
import { didYouMean } from './suggest.js';
import { versionText } from './version.js';

/** Every subcommand, in the order `paradox --help` lists them. */
export const COMMANDS: Command[] = [
  runCommand,
  resumeCommand,
  reportCommand,
  exportCommand,
  analyseCommand,
  verifyCommand,
  stripesCommand,
  workerCommand,
  presetsCommand,
  demoCommand,
  benchCommand,
  exploreCommand,
  explainCommand,
];

/** `paradox --help`. */
export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    'paradox — run the experiments of "The mathematics of adversarial attacks in AI" (Bastounis, Hansen, Vlačić)',
    '',
    'Usage: paradox COMMAND [arguments] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(w)}  ${c.spec.summary}`),
    '',
    'Options:',
    ...Object.entries(GLOBAL_OPTIONS).map(([n, o]) => helpRow(`${o.short ? `-${o.short}, ` : '    '}--${n}`, o.description, 18)),
    '',
    'Examples:',
    '  paradox demo                          both results in under a minute',
    '  paradox presets                       the built-in sweeps',
    '  paradox run breakdown                 success probability against ε around ε_B',
    '  paradox run my-sweep.yaml --workers 4',
    '  paradox resume runs/breakdown-20261125-131502',
    '  paradox export runs/breakdown-20261125-131502 --format parquet',
    '',
    'Run paradox COMMAND --help for the options of a command.',
  ].join('\n');
}

/** Runs the CLI on `argv` (without `node` and the script) and resolves with the exit code. */
export async function main(argv: string[], ctx: Context): Promise<number> {
  const debug = argv.includes('--debug');
  ctx.debug = debug;
  const json = argv.includes('--json');
  try {
    const first = argv.find((a) => !a.startsWith('-'));
    const firstIndex = first === undefined ? -1 : argv.indexOf(first);
    const before = firstIndex === -1 ? argv : argv.slice(0, firstIndex);
    const unknownBefore = before.find((a) => !['--help', '-h', '--version', '-V', '--debug', '--json'].includes(a));
    if (unknownBefore !== undefined) {
      const flags = ['--help', '--version', '--debug'];
      throw new UsageError(`unknown option ${unknownBefore}${didYouMean(unknownBefore, flags)} before the command; usage: paradox COMMAND [options] (see paradox --help)`, {
        code: 'E_UNKNOWN_OPTION',
      });
    }
    if (before.includes('--version') || before.includes('-V')) {
      println(ctx.stdout, versionText());
      return 0;
    }
    if (first === undefined || before.includes('--help') || before.includes('-h')) {
      if (first === undefined && !before.includes('--help') && !before.includes('-h')) {
        println(ctx.stderr, mainHelp());
        return 2;
      }
      println(ctx.stdout, mainHelp());
      return 0;
    }
    if (first === 'help') {
      const topic = argv[firstIndex + 1];
      const cmd = COMMANDS.find((c) => c.spec.name === topic);
      println(ctx.stdout, cmd ? helpText(cmd.spec) : mainHelp());
      return 0;
    }
    const cmd = COMMANDS.find((c) => c.spec.name === first);
    if (!cmd) {
      const names = COMMANDS.map((c) => c.spec.name);
      throw new UsageError(`unknown command '${first}'${didYouMean(first, names)}; commands are: ${names.join(', ')} (see paradox --help)`, {
        code: 'E_UNKNOWN_COMMAND',
      });
    }
    const args = parseCommandArgs(cmd.spec, [...before.filter((a) => a === '--debug' || a === '--json'), ...argv.slice(firstIndex + 1)]);
    if (args.values.help) {
      println(ctx.stdout, helpText(cmd.spec));
      return 0;
    }
    if (args.values.version) {
      println(ctx.stdout, versionText());
      return 0;
    }
    return await cmd.run(args, ctx);
  } catch (err) {
    const code = exitCodeOf(err);
    if (json) emitJson(ctx, { type: 'error', code: codeOf(err), exitCode: code, message: (err as Error)?.message ?? String(err) });
    println(ctx.stderr, formatError(err, debug));
    if (err instanceof UsageError && err.command) println(ctx.stderr, `(see: paradox ${err.command} --help)`);
    return code;
  }
}
