/** A command: its declaration (parsing and help) and what it does. */
import type { CommandSpec, ParsedArgs } from '../args.js';
import type { Context } from '../context.js';

/** A `paradox` subcommand. Resolves with the exit code; throws UsageError/CliRuntimeError/orchestrator errors. */
export interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, ctx: Context): Promise<number>;
}
