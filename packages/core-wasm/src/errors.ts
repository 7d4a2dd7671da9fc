/**
 * Error codes thrown by `@paradox/core-wasm`. Every error the package throws is a `CoreError` with
 * one of these codes and a message that says what was wrong, where, and what is allowed.
 */
export type CoreErrorCode =
  | 'E_ARG' // an argument has an invalid value (NaN learning rate, negative width, ...)
  | 'E_SHAPE' // array sizes do not match the network or the data
  | 'E_RANGE' // a size exceeds a documented limit
  | 'E_NONFINITE' // a non-finite value appeared inside a kernel
  | 'E_FORMAT' // a serialised network or other document is malformed
  | 'E_LOAD' // the WebAssembly module could not be loaded
  | 'E_TRAP' // the WebAssembly module trapped (a bug: please report it)
  | 'E_THEOREM'; // a mathematical guarantee was violated (a bug: please report it with the seed)

/** The one error class of this package; `code` is stable, `message` is for humans. */
export class CoreError extends Error {
  override readonly name = 'CoreError';
  /** Stable machine-readable code. */
  readonly code: CoreErrorCode;
  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Throw `E_ARG` unless `cond` holds. `what` names the argument, `allowed` the allowed values. */
export function require(cond: boolean, what: string, got: unknown, allowed: string): asserts cond {
  if (!cond) {
    throw new CoreError('E_ARG', `${what}: expected ${allowed}, got ${formatValue(got)}`);
  }
}

/** Render a value for an error message, compactly and without throwing. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}
