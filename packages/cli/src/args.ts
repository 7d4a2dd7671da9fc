/**
 * Command-line parsing on top of `node:util` `parseArgs`: every command declares its options and
 * positionals once, and that declaration drives parsing, validation (with "did you mean") and the
 * `--help` text.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { didYouMean } from './suggest.js';

/** One `--flag` of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias (`-h`). */
  short?: string;
  /** Placeholder for the value in help (`DIR`, `N`). */
  value?: string;
  /** One line for `--help`. */
  description: string;
}

/** A positional argument. */
export interface PositionalSpec {
  name: string;
  required: boolean;
  description: string;
}

/** The declaration of a command: drives parsing and `--help`. */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Longer explanation shown by `paradox CMD --help` (optional). */
  details?: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  /** Complete command lines, shown under "Examples". */
  examples: string[];
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show help for the command and exit' },
  version: { type: 'boolean', short: 'V', description: 'print the paradox version and exit' },
  debug: { type: 'boolean', description: 'print stack traces on errors' },
};

/** The result of parsing one command's arguments. */
export interface ParsedArgs {
  positionals: string[];
  /** Option values by long name; absent when not given. */
  values: Record<string, string | boolean | undefined>;
}

/**
 * Parses `args` (everything after the command name) against `spec`. Throws a `UsageError` naming
 * the offending flag and what is allowed; unknown flags get a "did you mean".
 */
export function parseCommandArgs(spec: CommandSpec, args: string[]): ParsedArgs {
  const options = { ...GLOBAL_OPTIONS, ...spec.options };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, o] of Object.entries(options)) config[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  const { tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  const known = [...Object.keys(spec.options), ...Object.keys(GLOBAL_OPTIONS)].map((n) => `--${n}`);
  const cmd = spec.name;
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    const o = options[t.name];
    if (!o) {
      throw new UsageError(
        `${where(cmd)}unknown option ${t.rawName}${didYouMean(t.rawName, known)}; allowed: ${known.join(', ')}`,
        { command: cmd, code: 'E_UNKNOWN_OPTION' },
      );
    }
    if (o.type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`${where(cmd)}option --${t.name} takes no value, got '${t.value}'`, { command: cmd });
      values[t.name] = true;
    } else {
      // parseArgs swallows the next flag as a value (`--out --json`); treat that as missing.
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('-') && t.value.length > 1 && !/^-\d/.test(t.value))) {
        throw new UsageError(`${where(cmd)}option --${t.name} needs a value (${o.value ?? 'VALUE'}: ${o.description})`, { command: cmd });
      }
      if (values[t.name] !== undefined) throw new UsageError(`${where(cmd)}option --${t.name} given twice`, { command: cmd });
      values[t.name] = t.value;
    }
  }
  // Help and version short-circuit everything else, so `run --help` works without a spec.
  if (values.help || values.version) return { positionals, values };
  const required = spec.positionals.filter((p) => p.required);
  if (positionals.length < required.length) {
    const missing = required[positionals.length]!;
    throw new UsageError(`${where(cmd)}missing ${missing.name} (${missing.description})\nusage: ${usageLine(spec)}`, {
      command: cmd,
      code: 'E_MISSING_ARGUMENT',
    });
  }
  const variadic = spec.positionals[spec.positionals.length - 1]?.name.endsWith('…') ?? false;
  if (!variadic && positionals.length > spec.positionals.length) {
    const extra = positionals[spec.positionals.length]!;
    const allowed = spec.positionals.length === 0 ? 'no arguments' : `only ${spec.positionals.map((p) => p.name).join(' ')}`;
    throw new UsageError(`${where(cmd)}unexpected argument '${extra}' (${cmd} takes ${allowed})\nusage: ${usageLine(spec)}`, {
      command: cmd,
      code: 'E_EXTRA_ARGUMENT',
    });
  }
  return { positionals, values };
}

function where(cmd: string): string {
  return cmd ? `${cmd}: ` : '';
}

/** `paradox run SPEC|PRESET [options]` */
export function usageLine(spec: CommandSpec): string {
  const pos = spec.positionals.map((p) => (p.required ? p.name : `[${p.name}]`)).join(' ');
  return ['paradox', spec.name, pos, '[options]'].filter((s) => s.length > 0).join(' ');
}

/**
 * One row of a two-column help list: the label padded to `width`, or, when it is that long or
 * longer, alone on its line with the description below, so a label never runs into its text.
 */
export function helpRow(label: string, description: string, width = 22): string {
  return label.length < width ? `  ${label.padEnd(width)}${description}` : `  ${label}\n  ${' '.repeat(width)}${description}`;
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const lines: string[] = [`paradox ${spec.name} — ${spec.summary}`, '', `Usage: ${usageLine(spec)}`];
  if (spec.details) lines.push('', spec.details);
  if (spec.positionals.length > 0) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(helpRow(p.name, p.description));
  }
  lines.push('', 'Options:');
  for (const [name, o] of Object.entries({ ...spec.options, ...GLOBAL_OPTIONS })) {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    lines.push(helpRow(flag, o.description));
  }
  if (spec.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const e of spec.examples) lines.push(`  ${e}`);
  }
  return lines.join('\n');
}

/** Parses a positive integer option (`--workers 4`), naming the flag and the allowed range on error. */
/**
 * Reads a `--redis` value: a `redis://` or `rediss://` URL. The error never echoes what may be a
 * password (everything before the last '@' is shown as `***`).
 */
export function redisOption(cmd: string, raw: string, source = '--redis'): string {
  if (/^rediss?:\/\/[^\s]+$/.test(raw)) return raw;
  const shown = raw.includes('@') ? `***@${raw.slice(raw.lastIndexOf('@') + 1)}` : raw;
  throw new UsageError(`${cmd}: ${source} expects a URL like redis://127.0.0.1:6379, got '${shown}'`, { command: cmd });
}

export function intOption(cmd: string, flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`${cmd}: --${flag} expects an integer from ${min} to ${max}, got '${raw}'`, { command: cmd });
  const v = Number(raw);
  if (v < min || v > max) throw new UsageError(`${cmd}: --${flag} expects an integer from ${min} to ${max}, got ${v}`, { command: cmd });
  return v;
}

/** Parses an option restricted to a set of words, with "did you mean". */
export function choiceOption<T extends string>(cmd: string, flag: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${cmd}: --${flag} must be one of ${allowed.join(', ')}, got '${raw}'${didYouMean(raw, allowed)}`, { command: cmd });
}
