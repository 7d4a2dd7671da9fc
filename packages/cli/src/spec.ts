/**
 * From the `SPEC|PRESET` argument to normalised specs: find the file (a path, or a preset name
 * with "did you mean"), parse every YAML/JSON document in it, apply command-line overrides, and
 * let the orchestrator validate. Spec errors come back as exit-2 errors that name the file, the
 * path inside it, what is allowed, and the closest allowed word when a key or value is misspelt.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import type { NormalisedSpec, SpecError, SpecIssue } from '@paradox/orchestrator';
import { parseAllDocuments } from 'yaml';
import { UsageError } from './errors.js';
import { findPreset, presetNames } from './presets.js';
import { closest, didYouMean } from './suggest.js';

/** Where a spec came from. */
export interface SpecSource {
  /** `preset` when the argument named a shipped preset. */
  kind: 'file' | 'preset';
  /** The preset name or the file's base name without extension. */
  name: string;
  /** Absolute file path. */
  path: string;
}

/** Resolves `SPEC|PRESET`: an existing file wins; otherwise a preset name; otherwise a clear error. */
export function resolveSpecArg(arg: string, cwd = process.cwd()): SpecSource {
  const path = resolve(cwd, arg);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) {
      throw new UsageError(`${arg}: is a directory; expected a spec file (.yaml, .yml, .json) or a preset name (to continue a run use: paradox resume ${arg})`, {
        code: 'E_SPEC_FILE',
      });
    }
    const base = path.replace(/^.*[\\/]/, '');
    return { kind: 'file', name: base.replace(/\.(ya?ml|json)$/i, ''), path };
  }
  const preset = findPreset(arg);
  if (preset) return { kind: 'preset', name: preset.name, path: preset.path };
  const names = presetNames();
  const looksLikePath = /[\\/]/.test(arg) || /\.(ya?ml|json)$/i.test(arg);
  if (looksLikePath) {
    throw new UsageError(`${arg}: no such spec file (looked at ${path})`, { code: 'E_SPEC_FILE' });
  }
  throw new UsageError(
    `unknown preset '${arg}'${didYouMean(arg, names)}; presets are: ${names.join(', ')} (or give a path to a spec file; list them with: paradox presets)`,
    { code: 'E_UNKNOWN_PRESET' },
  );
}

/** Changes the command line makes to every spec before validation. */
export interface SpecOverrides {
  /** `--trials N`: a fixed number of trials per cell (replaces any stopping rule). */
  trials?: number;
}

/** One parsed document of a spec file. */
export interface SpecDocument {
  /** 0-based document index in the file. */
  index: number;
  /** The raw object (after overrides, without `description`). */
  input: Record<string, unknown>;
  description?: string;
}

/** Parses every YAML (or JSON) document of a spec file; syntax errors name the line and column. */
export function readSpecDocuments(source: SpecSource, overrides: SpecOverrides = {}): SpecDocument[] {
  const text = readFileSync(source.path, 'utf8');
  const where = source.kind === 'preset' ? `preset ${source.name} (${source.path})` : source.path;
  const ext = extname(source.path).toLowerCase();
  let objects: unknown[];
  if (ext === '.json') {
    try {
      objects = [JSON.parse(text)];
    } catch (e) {
      throw new UsageError(`${where}: not valid JSON: ${(e as Error).message}`, { code: 'E_SPEC_SYNTAX' });
    }
  } else {
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    objects = [];
    for (const d of list) {
      const err = d.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        const at = pos ? `line ${pos.line}, column ${pos.col}` : 'somewhere';
        const what = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        throw new UsageError(`${where}: YAML syntax error at ${at}: ${what}`, { code: 'E_SPEC_SYNTAX' });
      }
      objects.push(d.toJS());
    }
    // A trailing `---` yields an empty document; ignore empties unless the file is all empty.
    objects = objects.filter((o) => o !== null && o !== undefined);
  }
  if (objects.length === 0) throw new UsageError(`${where}: the file holds no spec (it is empty)`, { code: 'E_SPEC_SYNTAX' });
  return objects.map((o, index) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      const what = Array.isArray(o) ? 'a list' : JSON.stringify(o);
      throw new UsageError(`${where}${objects.length > 1 ? ` (document ${index + 1})` : ''}: expected a mapping of spec keys (name, experiment, seed, grid, fixed, …), got ${what}`, {
        code: 'E_SPEC',
      });
    }
    const input: Record<string, unknown> = { ...(o as Record<string, unknown>) };
    // As the orchestrator's loadSpec does for a file: a nameless spec is named after its file,
    // and plugin modules are found next to the spec, not next to wherever paradox was started.
    if (!('name' in input)) input.name = objects.length > 1 ? `${source.name}-${index + 1}` : source.name;
    resolvePluginPaths(input, dirname(source.path));
    const description = typeof input.description === 'string' ? input.description : undefined;
    // `description` is documentation for `paradox presets`; the spec schema does not know it.
    delete input.description;
    if (overrides.trials !== undefined) {
      delete input.stop;
      input.trials = overrides.trials;
    }
    return description !== undefined ? { index, input, description } : { index, input };
  });
}

/** Makes relative `plugin` paths (in fixed, grid or zip) absolute against `base`, in place. */
export function resolvePluginPaths(doc: Record<string, unknown>, base: string): void {
  const fix = (v: unknown): unknown => (typeof v === 'string' && v.length > 0 && !isAbsolute(v) && !/^[a-z]+:/i.test(v) ? resolve(base, v) : v);
  const fixed = doc.fixed;
  if (fixed && typeof fixed === 'object' && !Array.isArray(fixed) && 'plugin' in fixed) {
    doc.fixed = { ...fixed, plugin: fix((fixed as Record<string, unknown>).plugin) };
  }
  for (const section of ['grid', 'zip']) {
    const axes = doc[section];
    if (axes && typeof axes === 'object' && !Array.isArray(axes) && Array.isArray((axes as Record<string, unknown>).plugin)) {
      doc[section] = { ...axes, plugin: ((axes as Record<string, unknown>).plugin as unknown[]).map(fix) };
    }
  }
}

/** Validates one document with the orchestrator's schema; a SpecError becomes an exit-2 error with suggestions. */
export async function normaliseDocument(doc: SpecDocument, source: SpecSource, documents: number): Promise<NormalisedSpec> {
  // Loaded on demand: the orchestrator takes a second to import, and usage errors should not wait.
  const { normaliseSpec, SpecError } = await import('@paradox/orchestrator');
  const where = `${source.kind === 'preset' ? `preset ${source.name}` : source.path}${documents > 1 ? ` (document ${doc.index + 1})` : ''}`;
  try {
    return normaliseSpec(doc.input, where);
  } catch (e) {
    if (e instanceof SpecError) throw withSuggestions(e, where);
    throw e;
  }
}

/** The words an issue's `allowed` text lists (`one of: a, b, c`, `one of "a", "b"`, `a name (a, b, c)`), if any. */
export function allowedWords(allowed: string): string[] {
  const m =
    /(?:one of(?: the keys)?|keys?)\s*:?\s*(.+)$/i.exec(allowed) ?? // `one of: a, b` / `one of "a", "b"`
    /:\s*([^:]+,[^:]+)$/.exec(allowed) ?? // `a parameter of noncomputability: a, b, c`
    /\(([^()]*,[^()]*)\)/.exec(allowed); // `an algorithm name (a, b, c)`
  if (!m) return [];
  return m[1]!
    .split(/[,|]|\bor\b/)
    .map((w) => w.trim().replace(/^["'`]|["'`.)]+$/g, ''))
    .filter((w) => /^[\w.+-]+$/.test(w));
}

/** The closest allowed word to a misspelt key (unknown-key issues) or value (bad enum values), if any. */
export function suggestForIssue(issue: SpecIssue): string | undefined {
  const words = allowedWords(issue.allowed);
  if (words.length === 0) return undefined;
  const lastKey = issue.path.replace(/\[\d+\]/g, '').split('.').pop() ?? '';
  // For an unknown key the value is irrelevant: only the key's spelling can be wrong.
  const unknownKey = /unknown (key|parameter)/i.test(issue.message);
  const candidates = unknownKey ? [lastKey] : [typeof issue.value === 'string' ? issue.value : undefined, lastKey].filter((w): w is string => !!w);
  for (const w of candidates) {
    const c = closest(w, words);
    if (c !== undefined && c !== w) return c;
  }
  return undefined;
}

function withSuggestions(e: SpecError, where: string): UsageError {
  const lines = e.issues.map((i) => {
    if (/did you mean/i.test(i.message)) return `  ${i.message}`;
    const s = suggestForIssue(i);
    return `  ${i.message}${s ? ` (did you mean '${s}'?)` : ''}`;
  });
  const head = e.issues.length === 1 ? 'invalid sweep spec' : `invalid sweep spec (${e.issues.length} problems)`;
  return new UsageError(`${where}: ${head}:\n${lines.join('\n')}`, { code: 'E_SPEC', cause: e });
}
