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
}

/** Prints a structured event as one NDJSON line (the only thing `--json` puts on stdout). */
export function emitJson(ctx: Context, event: Record<string, unknown>): void {
  ctx.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Writes one line to an output. */
export function println(out: Output, line = ''): void {
  out.write(`${line}\n`);
}
