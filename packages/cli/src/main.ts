/**
 * The `paradox` command line: dispatch to a subcommand, global flags (`--help`, `--version`,
 * `--debug`), and the one place errors turn into messages and exit codes (0 ok, 1 runtime
 * failure, 2 bad usage or spec, 130 interrupted).
 */
import { GLOBAL_OPTIONS, helpRow, helpText, parseCommandArgs } from './args.js';
import { COMMAND_SUMMARIES, type CommandName } from './commands/names.js';
import type { Command } from './commands/types.js';
import { emitJson, println, type Context } from './context.js';
import { codeOf, exitCodeOf, formatError, UsageError } from './errors.js';
import { didYouMean } from './suggest.js';
import { provenance, versionText } from './version.js';

/**
 * How each command's module is loaded: only when that command is chosen (or its help is asked
 * for), so `paradox --help`, `--version` and a mistyped command do not import the orchestrator,
 * zod, yaml or the core, and a command does not import the others'.
 */
const LOADERS: { [N in CommandName]: () => Promise<Command> } = {
  run: async () => (await import('./commands/run.js')).runCommand,
  resume: async () => (await import('./commands/resume.js')).resumeCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  analyse: async () => (await import('./commands/analyse.js')).analyseCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  stripes: async () => (await import('./commands/stripes.js')).stripesCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
  presets: async () => (await import('./commands/presets.js')).presetsCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  bench: async () => (await import('./commands/bench.js')).benchCommand,
  explore: async () => (await import('./commands/explore.js')).exploreCommand,
  explain: async () => (await import('./commands/explain.js')).explainCommand,
};

/** Every subcommand's name, in the order `paradox --help` lists them. */
export const COMMAND_NAMES = Object.keys(COMMAND_SUMMARIES) as CommandName[];

function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMAND_SUMMARIES, name);
}

/** The command called `name` (its module loaded now), or undefined when there is none. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return isCommandName(name) ? LOADERS[name]() : undefined;
}

/** Every subcommand, loaded, in the order `paradox --help` lists them (tests, documentation tools). */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMAND_NAMES.map((n) => LOADERS[n]()));
}

/** `paradox --help`. */
export function mainHelp(): string {
  const w = Math.max(...COMMAND_NAMES.map((n) => n.length));
  return [
    'paradox — run the experiments of "The mathematics of adversarial attacks in AI" (Bastounis, Hansen, Vlačić)',
    '',
    'Usage: paradox COMMAND [arguments] [options]',
    '',
    'Commands:',
    ...COMMAND_NAMES.map((n) => `  ${n.padEnd(w)}  ${COMMAND_SUMMARIES[n]}`),
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
      println(ctx.stdout, versionText(await provenance()));
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
      const cmd = topic === undefined ? undefined : await loadCommand(topic);
      println(ctx.stdout, cmd ? helpText(cmd.spec) : mainHelp());
      return 0;
    }
    const cmd = await loadCommand(first);
    if (!cmd) {
      const names = COMMAND_NAMES;
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
      println(ctx.stdout, versionText(await provenance()));
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
