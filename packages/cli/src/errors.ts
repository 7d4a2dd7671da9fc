/**
 * CLI errors and how they reach the user: exit 2 for bad usage or a bad spec, 1 for runtime
 * failures; the message names what was wrong, where, and what is allowed. Stack traces only with
 * `--debug`.
 */

/** Bad usage: unknown command, flag, preset, missing file, existing run directory (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
  /** Exit code the CLI uses. */
  readonly exitCode = 2 as const;
  /** Stable code for programs (`--json` error events carry it). */
  readonly code: string;
  /** The command whose `--help` explains the fix, if any. */
  readonly command: string | undefined;
  constructor(message: string, options: { code?: string; command?: string; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options.code ?? 'E_USAGE';
    this.command = options.command;
  }
}

/** A failure while doing the work (I/O, a crashed run) that is not the user's input's fault (exit 1). */
export class CliRuntimeError extends Error {
  override name = 'CliRuntimeError';
  /** Exit code the CLI uses. */
  readonly exitCode = 1 as const;
  /** Stable code for programs. */
  readonly code: string;
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options.code ?? 'E_RUNTIME';
  }
}

/** The exit code an error maps to: its own `exitCode` when it is 1 or 2, otherwise 1. */
export function exitCodeOf(err: unknown): 1 | 2 {
  if (typeof err === 'object' && err !== null && 'exitCode' in err) {
    const c = (err as { exitCode: unknown }).exitCode;
    if (c === 2) return 2;
  }
  return 1;
}

/** The stable code of an error (`E_…`), or `E_INTERNAL` for anything unexpected. */
export function codeOf(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const c = (err as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return 'E_INTERNAL';
}

/**
 * The text printed for an error: `paradox: <message>` plus, with `debug`, the stack and causes.
 * Unexpected errors (no `exitCode`, e.g. a TypeError) say so, so that they are reported as bugs.
 */
export function formatError(err: unknown, debug: boolean): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const known = typeof err === 'object' && err !== null && 'exitCode' in err;
  const code = codeOf(err);
  // Node's own system errors (ENOENT, EACCES, …) read fine as they are; anything else without an
  // exit code is a bug in paradox and says so.
  const system = typeof code === 'string' && /^E[A-Z]+$/.test(code) && !code.startsWith('E_');
  let text = known || system ? `paradox: ${e.message}` : `paradox: internal error: ${e.message}`;
  if (!debug) {
    if (!known && !system) text += '\n  (run again with --debug for the stack trace, and please report it)';
    return text;
  }
  let cur: unknown = e;
  const seen = new Set<unknown>();
  while (cur instanceof Error && !seen.has(cur)) {
    seen.add(cur);
    if (cur.stack) text += `\n${cur === e ? '' : 'caused by: '}${cur.stack}`;
    const remote = (cur as { remote?: { stack?: string } }).remote;
    if (remote?.stack) text += `\nremote: ${remote.stack}`;
    cur = cur.cause;
  }
  return text;
}
