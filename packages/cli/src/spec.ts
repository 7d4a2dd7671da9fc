/**
 * From the `SPEC|PRESET` argument to validated specs: find the file (a path, or a preset name
 * with "did you mean"), then let the orchestrator's `loadSpecFile` read and validate every document
 * with the command-line overrides. Spec errors come back as exit-2 errors that name the file, the
 * path inside it, what is allowed, and the closest allowed word when a key or value is misspelt.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { issueLines as IssueLinesFn, SpecError, SpecFileDocument, SpecIssue } from '@paradox/orchestrator';
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
export function resolveSpecArg(arg: string, cwd = process.cwd(), invocation = 'paradox'): SpecSource {
  const path = resolve(cwd, arg);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) {
      throw new UsageError(`${arg}: is a directory; expected a spec file (.yaml, .yml, .json) or a preset name (to continue a run use: ${invocation} resume ${arg})`, {
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

type IssueLines = typeof IssueLinesFn;

/** Changes the command line makes to every spec before validation. */
export interface SpecOverrides {
  /** `--trials N`: a fixed number of trials per cell (replaces any stopping rule). */
  trials?: number;
}

/**
 * Reads and validates every document of the spec file with the orchestrator's `loadSpecFile`
 * (one pass: schema, cells and plugins of every document). Spec problems come back as one exit-2
 * error listing them all, each with "did you mean" when the allowed values are a closed list.
 */
export async function loadSpecDocuments(source: SpecSource, overrides: SpecOverrides = {}): Promise<SpecFileDocument[]> {
  // Loaded on demand: the orchestrator takes a second to import, and usage errors should not wait.
  const { issueLines, loadSpecFile, SpecError } = await import('@paradox/orchestrator');
  const label = source.kind === 'preset' ? `preset ${source.name}` : source.path;
  try {
    return await loadSpecFile(source.path, { label, name: source.name, ...(overrides.trials !== undefined ? { trials: overrides.trials } : {}) });
  } catch (e) {
    if (e instanceof SpecError) throw withSuggestions(e, label, issueLines);
    throw e;
  }
}

/**
 * The closest allowed word to a misspelt key (`unknownKey` issues: the last key of the path) or
 * value (a bad choice), from the issue's structured `choices`; undefined when the allowed values
 * are not a closed list or nothing is close. No message is parsed.
 */
export function suggestForIssue(issue: SpecIssue): string | undefined {
  if (!issue.choices || issue.choices.length === 0) return undefined;
  // An unknown key's value is irrelevant: only the key's spelling (the last part of the path) can be wrong.
  const word = issue.unknownKey ? issue.path.split('.').pop() : issue.value;
  if (typeof word !== 'string') return undefined;
  const c = closest(word, issue.choices);
  return c !== word ? c : undefined;
}

function withSuggestions(e: SpecError, where: string, issueLines: IssueLines): UsageError {
  const lines = issueLines(e.issues, (i) => {
    const s = suggestForIssue(i);
    return `${i.message}${s ? ` (did you mean '${s}'?)` : ''}`;
  });
  const head = e.issues.length === 1 ? 'invalid sweep spec' : `invalid sweep spec (${e.issues.length} problems)`;
  return new UsageError(`${where}: ${head}:\n${lines.join('\n')}`, { code: 'E_SPEC', cause: e });
}
