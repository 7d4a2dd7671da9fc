/** What every command receives: where to write, where it runs, and the global flags. */
import type { Output } from './progress/render.js';

/** The environment a command runs in (the real process, or a test double). */
export interface Context {
  /** Results: headlines, lists, NDJSON events with `--json`. */
  stdout: Output;
  /** Progress, notices and errors. */
  stderr: Output;
  cwd: string;
  /** `--debug`: stack traces on errors. */
  debug: boolean;
  /**
   * How the user started paradox (`paradox`, `npx pnpm@9 paradox`, `node packages/cli/dist/bin.js`),
   * so that a message telling them what to run next prints a command that works; `paradox` when unset.
   */
  invocation?: string;
}

/** The command line `paradox <rest>` as the user can type it in their context (see `Context.invocation`). */
export function command(ctx: Pick<Context, 'invocation'>, rest: string): string {
  return `${ctx.invocation ?? 'paradox'} ${rest}`;
}

/** Prints a structured event as one NDJSON line (the only thing `--json` puts on stdout). */
export function emitJson(ctx: Context, event: Record<string, unknown>): void {
  ctx.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Writes one line to an output. */
export function println(out: Output, line = ''): void {
  out.write(`${line}\n`);
}
