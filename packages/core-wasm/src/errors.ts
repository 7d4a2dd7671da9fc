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
  | 'E_NOT_FOUND' // a file the caller named does not exist
  | 'E_TRAP' // the WebAssembly module trapped (a bug: please report it)
  | 'E_THEOREM'; // a mathematical guarantee was violated (a bug: please report it with the seed)

/** One step of a `CoreError.path`: a property name or an array index. */
export type PathKey = string | number;

/**
 * The structured facts of a `CoreError` about a bad value. Programs read these, never the message:
 * the message is for humans and may be reworded.
 */
export interface CoreErrorDetails {
  /**
   * Where the bad value sits inside the argument that was validated, as property names and array
   * indices: `['hidden', 1]` for `params.hidden[1]` of the experiment validators, `['lambda']` for
   * `params.lambda`, `[]` for the argument itself. For an unknown key, the key itself (which is
   * then not among `choices`).
   */
  readonly path?: readonly PathKey[];
  /** What is allowed, in words (`an integer in [1, 4096]`, `one of: mse, logistic, hinge`). */
  readonly allowed?: string;
  /** The value that was refused (for an unknown key: the value it held). */
  readonly value?: unknown;
  /**
   * The finite set of allowed words when there is one (enum values such as losses or algorithm
   * names; for an unknown key, the allowed keys), for "did you mean" suggestions. Absent for
   * numeric ranges and free-form constraints.
   */
  readonly choices?: readonly string[];
}

/** Options of the `CoreError` constructor: a cause and the structured details. */
export interface CoreErrorOptions extends CoreErrorDetails {
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * The one error class of this package; `code` is stable, `message` is for humans. Errors about a
 * bad value (all that the parameter validators `normaliseInstabilityParams` and
 * `normaliseNoncomputabilityParams` throw, and the λ check of `makeHardPair`) also carry `path`,
 * `allowed`, `value` and, for a finite set of allowed words, `choices` (see `CoreErrorDetails`).
 */
export class CoreError extends Error implements CoreErrorDetails {
  override readonly name = 'CoreError';
  /** Stable machine-readable code. */
  readonly code: CoreErrorCode;
  /** Where the bad value sits inside the validated argument (see `CoreErrorDetails.path`). */
  declare readonly path?: readonly PathKey[];
  /** What is allowed, in words. */
  declare readonly allowed?: string;
  /** The refused value. */
  declare readonly value?: unknown;
  /** The allowed words, when they are a finite set. */
  declare readonly choices?: readonly string[];
  constructor(code: CoreErrorCode, message: string, options?: CoreErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.path !== undefined) this.path = Object.freeze([...options.path]);
    if (options?.allowed !== undefined) this.allowed = options.allowed;
    if (options && 'value' in options) this.value = options.value;
    if (options?.choices !== undefined) this.choices = Object.freeze([...options.choices]);
  }
}

/** `path` as written in messages: `['hidden', 1]` → `.hidden[1]`, `[]` → ``. */
export function formatPath(path: readonly PathKey[]): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
}

/**
 * The one helper for a refused value: a `CoreError('E_ARG')` with the message
 * `<subject><path>: expected <allowed>, got <value>` and every field set. `subject` names the
 * validated argument (`params`, `noncomputability params`); the argument order is the order of the
 * message.
 */
export function invalidValue(subject: string, path: readonly PathKey[], allowed: string, value: unknown, choices?: readonly string[]): CoreError {
  return new CoreError('E_ARG', `${subject}${formatPath(path)}: expected ${allowed}, got ${formatValue(value)}`, {
    path,
    allowed,
    value,
    ...(choices === undefined ? {} : { choices }),
  });
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
