/**
 * Sweep specs: parse (YAML or JSON), validate and normalise, hash, expand into cells.
 *
 * Validation happens in two layers that report the same way (`path: expected …, got …`): the zod
 * schema (spec/schema.ts) checks the structure, then every cell's parameters are checked by the
 * experiment's validator, and its complaints are mapped back to the grid/zip/fixed entry they came
 * from. All problems are collected and thrown together as one SpecError; nothing is written.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { OrchestratorError, SpecError, type SpecIssue } from '../errors.js';
import { getExperiment } from '../experiments/registry.js';
import type { Json } from '../worker/protocol.js';
import { canonicalJson, hash32, sha256Hex, sortKeysDeep } from './canonical.js';
import { MAX_CELLS, specSchema, type ParsedSpec } from './schema.js';
import type { Cell, NormalisedSpec, StopRule } from './types.js';

/** Trials per cell when a spec gives neither `trials` nor `stop`. */
export const DEFAULT_TRIALS = 1000;

/** Render a value for an error message, compactly. */
export function formatValue(v: unknown): string {
  if (v === undefined) return 'nothing (the key is missing)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** `a.b[2].c` from a path array. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

function issue(path: string, value: unknown, allowed: string, message?: string): SpecIssue {
  return { path, value, allowed, message: message ?? `${path}: expected ${allowed}, got ${formatValue(value)}` };
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function zodIssues(input: unknown, error: z.ZodError): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      for (const key of i.keys) {
        const path = formatPath([...i.path, key]);
        out.push(issue(path, valueAt(input, [...i.path, key]), i.message, `${path}: unknown key; expected ${i.message}`));
      }
      continue;
    }
    const path = formatPath(i.path);
    if (i.code === 'invalid_key') {
      // A record key failed its own schema: report the key's complaint, not the record's.
      const inner = i.issues[0]?.message ?? i.message;
      const key = i.path[i.path.length - 1];
      out.push(issue(path, key, inner, `${path}: invalid name ${formatValue(key)}; expected ${inner}`));
      continue;
    }
    out.push(issue(path, valueAt(input, i.path), i.message));
  }
  return out;
}

/** Parse spec text. `yaml` accepts JSON too (JSON is YAML). Throws SpecError on syntax errors. */
function parseText(text: string, format: 'yaml' | 'json', source?: string): unknown {
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new SpecError([issue('(root)', undefined, 'valid JSON', `(root): not valid JSON: ${(e as Error).message}`)], source);
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, version: '1.2' });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => issue('(root)', undefined, 'valid YAML', `(root): not valid YAML: ${e.message.split('\n')[0]}`)),
      source,
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/**
 * A plugin path in a spec file means "next to the spec", not "next to wherever paradox was
 * started": relative `plugin` values (in fixed, grid or zip) become absolute before normalising,
 * so the stored spec names the module that ran.
 */
function resolvePluginPaths(doc: Record<string, unknown>, base: string): void {
  const fix = (v: unknown): unknown => (typeof v === 'string' && v.length > 0 && !isAbsolute(v) && !/^[a-z]+:/i.test(v) ? resolve(base, v) : v);
  const fixed = doc.fixed as Record<string, unknown> | undefined;
  if (fixed && typeof fixed === 'object' && 'plugin' in fixed) fixed.plugin = fix(fixed.plugin);
  for (const section of ['grid', 'zip']) {
    const axes = doc[section] as Record<string, unknown> | undefined;
    if (axes && typeof axes === 'object' && Array.isArray(axes.plugin)) axes.plugin = axes.plugin.map(fix);
  }
}

/** Parse spec text (`yaml` also accepts JSON) and normalise it. `source` names the file in errors. */
export function parseSpec(text: string, format: 'yaml' | 'json', source?: string): NormalisedSpec {
  return normaliseSpec(parseText(text, format, source), source);
}

/**
 * Read and normalise a spec from a file path (`.yaml`, `.yml`, `.json`) or an object. When the
 * file's spec has no `name`, the file's base name is used. Throws SpecError or E_USAGE (unreadable file).
 */
export async function loadSpec(source: string | Record<string, unknown>): Promise<NormalisedSpec> {
  if (typeof source !== 'string') return normaliseSpec(source);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (e) {
    throw new OrchestratorError('E_USAGE', `${source}: cannot read the spec file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const ext = extname(source).toLowerCase();
  const parsed = parseText(text, ext === '.json' ? 'json' : 'yaml', source);
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const doc = parsed as Record<string, unknown>;
    if (!('name' in doc)) doc.name = basename(source, extname(source));
    resolvePluginPaths(doc, dirname(resolve(source)));
  }
  return normaliseSpec(parsed, source);
}

/**
 * Validate and normalise a parsed spec object: defaults filled, `trials` turned into
 * `stop: {rule: fixed}`, `fixed` keys sorted, canonical top-level key order. Normalising a
 * normalised spec returns an equal spec. Throws SpecError listing every problem.
 */
export function normaliseSpec(input: unknown, source?: string): NormalisedSpec {
  const r = specSchema.safeParse(input);
  if (!r.success) throw new SpecError(zodIssues(input, r.error), source);
  const p: ParsedSpec = r.data;
  const issues: SpecIssue[] = [];

  let stop: StopRule;
  if (p.trials !== undefined && p.stop !== undefined) {
    issues.push(issue('stop', p.stop, 'either `trials` or `stop`, not both', 'stop: expected either `trials` or `stop`, not both'));
    stop = { rule: 'fixed', trials: p.trials };
  } else if (p.stop !== undefined) {
    const s = p.stop;
    if (s.rule === 'fixed') stop = s;
    else {
      const minTrials = s.minTrials ?? Math.min(s.checkEvery, s.maxTrials);
      if (minTrials > s.maxTrials) issues.push(issue('stop.minTrials', minTrials, `an integer ≤ stop.maxTrials (${s.maxTrials})`));
      stop = { ...s, minTrials } as StopRule;
    }
  } else stop = { rule: 'fixed', trials: p.trials ?? DEFAULT_TRIALS };

  const spec: NormalisedSpec = {
    name: p.name ?? 'sweep',
    experiment: p.experiment,
    seed: p.seed,
    grid: p.grid as Record<string, Json[]>,
    zip: p.zip as Record<string, Json[]>,
    fixed: sortKeysDeep(p.fixed as Json) as Record<string, Json>,
    stop: canonicalStop(stop),
    confidence: p.confidence,
    backend: p.backend,
    workers: p.workers,
    batch: p.batch,
    ...(p.redis !== undefined ? { redis: p.redis } : {}),
  };
  issues.push(...structureIssues(spec));
  if (issues.length === 0) issues.push(...cellIssues(spec).issues);
  if (issues.length > 0) throw new SpecError(issues, source);
  return spec;
}

/** Stop rule with keys in a fixed order (for stored documents). */
function canonicalStop(s: StopRule): StopRule {
  switch (s.rule) {
    case 'fixed':
      return { rule: 'fixed', trials: s.trials };
    case 'ci-halfwidth':
    case 'confidence-sequence':
      return { rule: s.rule, halfWidth: s.halfWidth, minTrials: s.minTrials, maxTrials: s.maxTrials, checkEvery: s.checkEvery } as StopRule;
    case 'sprt':
      return { rule: 'sprt', delta: s.delta, alpha: s.alpha, beta: s.beta, minTrials: s.minTrials, maxTrials: s.maxTrials, checkEvery: s.checkEvery };
  }
}

function structureIssues(spec: NormalisedSpec): SpecIssue[] {
  const out: SpecIssue[] = [];
  const exp = getExperiment(spec.experiment);
  if (!exp) {
    out.push(issue('experiment', spec.experiment, 'an experiment whose trial functions are built (this build has none for it yet)'));
    return out;
  }
  const known = new Set(exp.paramKeys);
  const allowedKeys = `a parameter of ${spec.experiment}: ${[...exp.paramKeys].join(', ')}`;
  const seen = new Map<string, string>();
  for (const [section, obj] of [['grid', spec.grid], ['zip', spec.zip], ['fixed', spec.fixed]] as const) {
    for (const key of Object.keys(obj)) {
      const path = `${section}.${key}`;
      if (!known.has(key)) out.push(issue(path, obj[key], allowedKeys, `${path}: unknown parameter; expected ${allowedKeys}`));
      const prev = seen.get(key);
      if (prev) out.push(issue(path, obj[key], `each parameter in only one of grid, zip, fixed`, `${path}: parameter "${key}" is already set in ${prev}; each parameter may appear in only one of grid, zip, fixed`));
      else seen.set(key, section);
    }
  }
  for (const section of ['grid', 'zip'] as const) {
    for (const [key, values] of Object.entries(spec[section])) {
      const firstAt = new Map<string, number>();
      values.forEach((v, i) => {
        const c = canonicalJson(v);
        const j = firstAt.get(c);
        if (j !== undefined && section === 'grid') out.push(issue(`${section}.${key}[${i}]`, v, `a value not already listed (it repeats ${section}.${key}[${j}])`));
        else firstAt.set(c, i);
      });
    }
  }
  const zipKeys = Object.keys(spec.zip);
  if (zipKeys.length > 0) {
    const n = spec.zip[zipKeys[0] as string]?.length ?? 0;
    for (const k of zipKeys.slice(1)) {
      const len = spec.zip[k]?.length ?? 0;
      if (len !== n) out.push(issue(`zip.${k}`, spec.zip[k], `a list of ${n} values (the length of zip.${zipKeys[0]})`, `zip.${k}: expected a list of ${n} values (the length of zip.${zipKeys[0]}), got ${len}`));
    }
  }
  let cells = 1;
  for (const v of Object.values(spec.grid)) cells *= v.length;
  if (zipKeys.length > 0) cells *= spec.zip[zipKeys[0] as string]?.length ?? 1;
  if (cells > MAX_CELLS) out.push(issue('grid', `${cells} cells`, `at most ${MAX_CELLS} cells (grid × zip)`));
  return out;
}

/** One axis assignment per cell, in grid order (first grid axis slowest, zip fastest), with where each value came from. */
function* axisAssignments(spec: NormalisedSpec): Generator<{ axes: Record<string, Json>; source: Record<string, string> }> {
  const gridKeys = Object.keys(spec.grid);
  const zipKeys = Object.keys(spec.zip);
  const zipLen = zipKeys.length > 0 ? (spec.zip[zipKeys[0] as string]?.length ?? 0) : 1;
  const lens = gridKeys.map((k) => spec.grid[k]?.length ?? 0);
  const idx = gridKeys.map(() => 0);
  const total = lens.reduce((a, b) => a * b, 1) * zipLen;
  for (let c = 0; c < total; c++) {
    let rem = Math.floor(c / zipLen);
    for (let g = gridKeys.length - 1; g >= 0; g--) {
      const len = lens[g] as number;
      idx[g] = rem % len;
      rem = Math.floor(rem / len);
    }
    const z = c % zipLen;
    const axes: Record<string, Json> = {};
    const source: Record<string, string> = {};
    gridKeys.forEach((k, g) => {
      axes[k] = spec.grid[k]?.[idx[g] as number] as Json;
      source[k] = `grid.${k}[${idx[g]}]`;
    });
    for (const k of zipKeys) {
      axes[k] = spec.zip[k]?.[z] as Json;
      source[k] = `zip.${k}[${z}]`;
    }
    yield { axes, source };
  }
}

const PARAM_ERR = /params\.([A-Za-z0-9_]+)(?:\[\d+\])?:\s*(?:expected\s+)?(.*?)(?:, got .*)?$/s;

function cellIssues(spec: NormalisedSpec): { cells: Cell[]; issues: SpecIssue[] } {
  const exp = getExperiment(spec.experiment);
  const cells: Cell[] = [];
  const out = new Map<string, SpecIssue>();
  if (!exp) return { cells, issues: [] };
  const keys = new Map<string, number>();
  let index = 0;
  for (const { axes, source } of axisAssignments(spec)) {
    const raw: Record<string, Json> = { ...spec.fixed, ...axes };
    try {
      const params = sortKeysDeep(exp.normaliseParams(raw)) as Record<string, Json>;
      exp.check?.(params, spec.seed);
      const key = `${spec.experiment}:${canonicalJson(params)}`;
      const dup = keys.get(key);
      if (dup !== undefined) {
        const where = Object.values(source).join(', ') || 'fixed';
        out.set(`dup:${key}`, issue(where, axes, `cells with distinct parameters`, `${where}: this cell has the same parameters as cell ${dup} after defaults are filled; remove one`));
      } else keys.set(key, index);
      cells.push({ index, key, hash32: hash32(key), axes, params });
    } catch (e) {
      const text = (e as Error).message;
      const m = PARAM_ERR.exec(text);
      const param = m?.[1];
      const path = param !== undefined ? (source[param] ?? (param in spec.fixed ? `fixed.${param}` : `fixed.${param} (missing)`)) : `cell ${index}`;
      const value = param !== undefined ? raw[param] : axes;
      const allowed = m?.[2]?.trim() || text;
      const where = Object.keys(axes).length > 0 ? ` (in the cell ${formatValue(axes)})` : '';
      if (!out.has(path)) out.set(path, issue(path, value, allowed, `${path}: expected ${allowed}, got ${formatValue(value)}${param !== undefined && source[param] ? '' : where}`));
    }
    index++;
  }
  return { cells, issues: [...out.values()] };
}

/** The document hashed by `specHash`: everything that determines results, with axis order kept. */
export function hashedDocument(spec: NormalisedSpec): Json {
  return {
    format: 'paradox-spec/1',
    name: spec.name,
    experiment: spec.experiment,
    seed: spec.seed,
    grid: Object.entries(spec.grid).map(([k, v]) => [k, v]),
    zip: Object.entries(spec.zip).map(([k, v]) => [k, v]),
    fixed: spec.fixed,
    stop: spec.stop as unknown as Json,
    confidence: spec.confidence,
  };
}

/** SHA-256 (hex) of the result-determining part of a normalised spec (execution settings excluded). */
export function specHash(spec: NormalisedSpec): string {
  return sha256Hex(canonicalJson(hashedDocument(spec)));
}

/** Expand a normalised spec into its cells, in grid order. Throws SpecError if a cell is invalid. */
export function expandCells(spec: NormalisedSpec): Cell[] {
  const { cells, issues } = cellIssues(spec);
  if (issues.length > 0) throw new SpecError(issues);
  return cells;
}
