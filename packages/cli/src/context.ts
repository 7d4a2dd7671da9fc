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

/** Writes one line to an output. */
export function println(out: Output, line = ''): void {
  out.write(`${line}\n`);
}
