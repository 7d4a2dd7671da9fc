/**
 * Sweep specs: parse (YAML or JSON), validate and normalise, hash, expand into cells.
 *
 * Validation happens in two layers that report the same way (`path: expected …, got …`): the zod
 * schema (spec/schema.ts) checks the structure, then every cell's parameters are checked by the
 * experiment's validator, and its complaints are mapped back to the grid/zip/fixed entry they came
 * from. All problems are collected and thrown together as one SpecError; nothing is written.
 */
import type { z } from 'zod';
import { CoreError } from '@paradox/core-wasm';
import { OrchestratorError, SpecError, type SpecIssue } from '../errors.js';
import { getExperiment } from '../experiments/registry.js';
import type { Json } from '../worker/protocol.js';
import { canonicalJson, hash32, sha256Hex, sortKeysDeep } from './canonical.js';
import { fileIdentity, identityParams } from './file-identity.js';
import { fileParamKeys, mapFileValues } from './file-paths.js';
import { parseSpecDocuments } from './parse.js';
import { MAX_CELLS, specSchema, stopSchema, type ParsedSpec } from './schema.js';
import type { Cell, NormalisedSpec, SpecInput, StopRule } from './types.js';

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

/** The keys the schema allows in the mapping at `path` (top level, or `stop` for its rule), for "did you mean". */
function keysAt(input: unknown, path: ReadonlyArray<PropertyKey>): string[] | undefined {
  if (path.length === 0) return Object.keys(specSchema.shape);
  if (path.length === 1 && path[0] === 'stop') {
    const rule = valueAt(input, ['stop', 'rule']);
    const variant = stopSchema.options.find((o) => o.shape.rule.value === rule);
    return variant ? Object.keys(variant.shape) : undefined;
  }
  return undefined;
}

function zodIssues(input: unknown, error: z.ZodError): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') {
      const choices = keysAt(input, i.path);
      for (const key of i.keys) {
        const path = formatPath([...i.path, key]);
        const one = issue(path, valueAt(input, [...i.path, key]), i.message, `${path}: unknown key; expected ${i.message}`);
        out.push(choices ? { ...one, choices, unknownKey: true } : { ...one, unknownKey: true });
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
    const one = issue(path, valueAt(input, i.path), i.message);
    const values = i.code === 'invalid_value' ? i.values : i.code === 'invalid_union' && 'options' in i ? i.options : undefined;
    const choices = values?.filter((v): v is string => typeof v === 'string');
    out.push(choices && choices.length > 0 ? { ...one, choices } : one);
  }
  return out;
}

/** Parse the text of a single-document spec (`yaml` also accepts JSON) and normalise it (plugins are not loaded: see prepareSpec). `source` names it in errors. */
export function parseSpec(text: string, format: 'yaml' | 'json', source?: string): NormalisedSpec {
  const docs = parseSpecDocuments(text, format, source ?? '(spec text)');
  if (docs.length > 1) {
    throw new OrchestratorError('E_SPEC_SYNTAX', `${source ?? '(spec text)'}: holds ${docs.length} YAML documents; expected one spec (loadSpecFile reads several)`);
  }
  return normaliseSpec(docs[0], source);
}

/**
 * Cells of specs this module validated, so that a spec is validated once however many layers
 * hand it on (CLI → runSweep → the scheduler). Keyed by the spec object; `fingerprint` (the
 * canonical JSON of the spec) makes a spec changed after validation count as new.
 */
const validated = new WeakMap<NormalisedSpec, { fingerprint: string; cells: Cell[]; pluginsLoaded: boolean }>();

function remember(spec: NormalisedSpec, cells: Cell[]): void {
  validated.set(spec, { fingerprint: canonicalJson(spec as unknown as Json), cells, pluginsLoaded: false });
}

function recalled(spec: NormalisedSpec): { cells: Cell[]; pluginsLoaded: boolean } | undefined {
  const hit = validated.get(spec);
  return hit && hit.fingerprint === canonicalJson(spec as unknown as Json) ? hit : undefined;
}

/**
 * Validate and normalise a parsed spec object: defaults filled, `trials` turned into
 * `stop: {rule: fixed}`, `fixed` keys sorted, canonical top-level key order. Normalising a
 * normalised spec returns an equal spec. Every problem is reported in one pass: the schema's, the
 * structure's (unknown or repeated parameters, zip lengths) and every cell's parameters, as far as
 * the parts they need are well-formed. Throws SpecError listing them all.
 */
export function normaliseSpec(input: unknown, source?: string): NormalisedSpec {
  const v = validate(input);
  if (v.issues.length > 0) throw new SpecError(v.issues, source);
  const spec = v.spec as NormalisedSpec;
  remember(spec, v.cells);
  return spec;
}

/** Everything normaliseSpec finds: the spec and its valid cells (as far as they could be built) and every problem. */
interface Validation {
  spec: NormalisedSpec | undefined;
  cells: Cell[];
  issues: SpecIssue[];
}

function validate(input: unknown): Validation {
  const r = specSchema.safeParse(input);
  if (!r.success) {
    const issues = zodIssues(input, r.error);
    const partial = salvage(input);
    let cells: Cell[] = [];
    if (partial) {
      const seen = new Set(issues.map((i) => i.path));
      const structure = structureIssues(partial);
      const checked = structure.expandable ? cellIssues(partial, partial.seed >= 0) : { cells: [], issues: [] };
      for (const i of [...structure.issues, ...checked.issues]) if (!seen.has(i.path)) issues.push(i);
      cells = checked.cells;
    }
    return { spec: partial, cells, issues };
  }
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
    ...(p.batchTimeout !== undefined ? { batchTimeout: p.batchTimeout } : {}),
    ...(p.redis !== undefined ? { redis: p.redis } : {}),
  };
  const structure = structureIssues(spec);
  issues.push(...structure.issues);
  const cells = structure.expandable ? cellIssues(spec, true) : { cells: [], issues: [] };
  issues.push(...cells.issues);
  return { spec, cells: cells.cells, issues };
}

/**
 * When the schema rejects a spec, the parts cell validation needs (experiment, grid, zip, fixed,
 * seed) may still be well-formed: then the cells are checked too, so one run reports every
 * problem. Returns a provisional spec of those parts, or undefined. A bad seed is replaced by -1
 * (the seed-dependent checks are then skipped).
 */
function salvage(input: unknown): NormalisedSpec | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const doc = input as Record<string, unknown>;
  const shape = specSchema.shape;
  const experiment = shape.experiment.safeParse(doc.experiment);
  const grid = shape.grid.safeParse(doc.grid);
  const zip = shape.zip.safeParse(doc.zip);
  const fixed = shape.fixed.safeParse(doc.fixed);
  if (!experiment.success || !grid.success || !zip.success || !fixed.success) return undefined;
  const seed = shape.seed.safeParse(doc.seed);
  return {
    name: 'sweep',
    experiment: experiment.data,
    seed: seed.success ? seed.data : -1,
    grid: grid.data as Record<string, Json[]>,
    zip: zip.data as Record<string, Json[]>,
    fixed: sortKeysDeep(fixed.data as Json) as Record<string, Json>,
    stop: { rule: 'fixed', trials: 1 },
    confidence: 0.95,
    backend: 'local',
    workers: 'auto',
    batch: 'auto',
  };
}

/**
 * Validate a spec once and load the plugin modules its cells use (a missing or malformed plugin is
 * a spec problem pointing at its grid/zip/fixed entry, found before anything is written). A spec
 * this module already validated is not validated again. Throws SpecError.
 */
export async function prepareSpec(input: SpecInput | NormalisedSpec, source?: string): Promise<NormalisedSpec> {
  let memo = recalled(input as NormalisedSpec);
  let spec = input as NormalisedSpec;
  if (!memo) {
    const v = validate(input);
    // The plugins of the cells that are valid are checked even when other parts are not: every problem in one pass.
    const issues = [...v.issues, ...(v.spec ? await pluginIssues(v.spec, v.cells) : [])];
    if (issues.length > 0) throw new SpecError(issues, source);
    spec = v.spec as NormalisedSpec;
    remember(spec, v.cells);
    memo = recalled(spec) as { cells: Cell[]; pluginsLoaded: boolean };
    memo.pluginsLoaded = true;
  }
  if (!memo.pluginsLoaded) {
    const issues = await pluginIssues(spec, memo.cells);
    if (issues.length > 0) throw new SpecError(issues, source);
    memo.pluginsLoaded = true;
  }
  return spec;
}

/** Import and check every distinct plugin module the cells use; one issue per module that fails. */
async function pluginIssues(spec: NormalisedSpec, cells: Cell[]): Promise<SpecIssue[]> {
  const exp = getExperiment(spec.experiment);
  if (!exp?.pluginPath || !exp.loadPlugin) return [];
  const where = new Map<string, string>();
  for (const cell of cells) {
    const path = exp.pluginPath(cell.params);
    if (path === null || where.has(path)) continue;
    const axisAt = (section: 'grid' | 'zip') => spec[section].plugin?.findIndex((v) => v === path) ?? -1;
    const g = axisAt('grid');
    const z = axisAt('zip');
    where.set(path, g >= 0 ? `grid.plugin[${g}]` : z >= 0 ? `zip.plugin[${z}]` : 'fixed.plugin');
  }
  const out: SpecIssue[] = [];
  for (const [path, at] of where) {
    try {
      await exp.loadPlugin(path);
    } catch (e) {
      const allowed = exp.pluginExpected ?? 'a module that exists and exports a paradox algorithm (default export or `algorithm`)';
      out.push(issue(at, path, allowed, `${at}: expected ${allowed}; ${(e as Error).message}`));
    }
  }
  return out;
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

/**
 * Problems of the spec's shape as a sweep: unknown or repeated parameters, repeated grid values,
 * zip lengths, the cell count. `expandable` says whether the cells can still be enumerated (and so
 * checked one by one).
 */
function structureIssues(spec: NormalisedSpec): { issues: SpecIssue[]; expandable: boolean } {
  const out: SpecIssue[] = [];
  const exp = getExperiment(spec.experiment);
  if (!exp) {
    out.push(issue('experiment', spec.experiment, 'an experiment whose trial functions are built (this build has none for it yet)'));
    return { issues: out, expandable: false };
  }
  const known = new Set(exp.paramKeys);
  const allowedKeys = `a parameter of ${spec.experiment}: ${[...exp.paramKeys].join(', ')}`;
  const seen = new Map<string, string>();
  for (const [section, obj] of [['grid', spec.grid], ['zip', spec.zip], ['fixed', spec.fixed]] as const) {
    for (const key of Object.keys(obj)) {
      const path = `${section}.${key}`;
      if (!known.has(key)) out.push({ ...issue(path, obj[key], allowedKeys, `${path}: unknown parameter; expected ${allowedKeys}`), choices: exp.paramKeys, unknownKey: true });
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
  let expandable = true;
  if (zipKeys.length > 0) {
    const n = spec.zip[zipKeys[0] as string]?.length ?? 0;
    for (const k of zipKeys.slice(1)) {
      const len = spec.zip[k]?.length ?? 0;
      if (len !== n) expandable = false;
      if (len !== n) out.push(issue(`zip.${k}`, spec.zip[k], `a list of ${n} values (the length of zip.${zipKeys[0]})`, `zip.${k}: expected a list of ${n} values (the length of zip.${zipKeys[0]}), got ${len}`));
    }
  }
  let cells = 1;
  for (const v of Object.values(spec.grid)) cells *= v.length;
  if (zipKeys.length > 0) cells *= spec.zip[zipKeys[0] as string]?.length ?? 1;
  if (cells > MAX_CELLS) {
    out.push(issue('grid', `${cells} cells`, `at most ${MAX_CELLS} cells (grid × zip)`));
    expandable = false;
  }
  return { issues: out, expandable };
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

/**
 * A cell's refused parameter as a spec issue pointing at the grid/zip/fixed entry it came from,
 * read from the structured fields of core-wasm's CoreError (`path`, `allowed`, `value`,
 * `choices`); the message is never parsed. An error without them (a bug) is reported for the cell.
 */
function paramIssue(
  e: unknown, raw: Record<string, Json>, axes: Record<string, Json>, source: Record<string, string>, fixed: Record<string, Json>, index: number, trialsAt: string,
): SpecIssue {
  const where = Object.keys(axes).length > 0 ? ` (in the cell ${formatValue(axes)})` : '';
  if (!(e instanceof CoreError) || e.path === undefined || e.allowed === undefined || typeof e.path[0] !== 'string') {
    const text = (e as Error).message;
    return issue(`cell ${index}`, axes, text, `cell ${index}: ${text}${where}`);
  }
  const param = e.path[0];
  const inner = e.path.slice(1).map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
  // `trials` is refused by an experiment's seed checks (a one-trial cell): it sits at the top level (or in stop).
  const entry = source[param] ?? (param in fixed ? `fixed.${param}` : param === 'trials' ? trialsAt : undefined);
  const path = entry !== undefined ? `${entry}${inner}` : `fixed.${param}${inner} (missing)`;
  const value = 'value' in e ? e.value : raw[param];
  // A value from fixed applies to every cell: say which cell refused it when it depends on the axes.
  const cell = source[param] === undefined ? where : '';
  const one = issue(path, value, e.allowed, `${path}: expected ${e.allowed}, got ${formatValue(value)}${cell}`);
  return e.choices !== undefined ? { ...one, choices: e.choices } : one;
}

/**
 * Every cell in grid order, each validated by the experiment (parameters, and with `seedChecks`
 * the checks that need the seed); problems mapped back to the grid/zip/fixed entry they came from,
 * one per entry. Unknown parameter names are left out of the cells (structureIssues reports them).
 */
function cellIssues(spec: NormalisedSpec, seedChecks: boolean): { cells: Cell[]; issues: SpecIssue[] } {
  const exp = getExperiment(spec.experiment);
  const cells: Cell[] = [];
  const out = new Map<string, SpecIssue>();
  if (!exp) return { cells, issues: [] };
  const known = new Set(exp.paramKeys);
  const keys = new Map<string, number>();
  const identities = new Map<string, string>();
  let index = 0;
  for (const { axes, source } of axisAssignments(spec)) {
    const raw: Record<string, Json> = {};
    for (const [k, v] of Object.entries({ ...spec.fixed, ...axes })) if (known.has(k)) raw[k] = v;
    try {
      const params = sortKeysDeep(exp.normaliseParams(raw)) as Record<string, Json>;
      if (seedChecks) exp.check?.(params, spec.seed, spec.stop.rule === 'fixed' ? spec.stop.trials : spec.stop.maxTrials);
      // Files by content, not by where the project sits (spec/file-identity.ts): the key decides the streams.
      const key = `${spec.experiment}:${canonicalJson(identityParams(params, exp.fileParams ?? [], identities))}`;
      const dup = keys.get(key);
      if (dup !== undefined) {
        const where = Object.values(source).join(', ') || 'fixed';
        out.set(`dup:${key}`, issue(where, axes, `cells with distinct parameters`, `${where}: this cell has the same parameters as cell ${dup} after defaults are filled; remove one`));
      } else keys.set(key, index);
      cells.push({ index, key, hash32: hash32(key), axes, params });
    } catch (e) {
      const one = paramIssue(e, raw, axes, source, spec.fixed, index, spec.stop.rule === 'fixed' ? 'trials' : 'stop.maxTrials');
      if (!out.has(one.path)) out.set(one.path, one);
    }
    index++;
  }
  return { cells, issues: [...out.values()] };
}

/** The result-determining part of a spec as it stands (file values as they are written in it). */
function identityDocument(spec: NormalisedSpec): Json {
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

/**
 * The document hashed by `specHash`: everything that determines results, with axis order kept,
 * and each file the spec names (its experiment's `fileParams`) by its identity — file name and
 * SHA-256 of its bytes (spec/file-identity.ts), as in cell keys — not by its path. The same
 * spec run from two directories, or after the project moved, has one hash; editing a file it
 * names gives another.
 */
export function hashedDocument(spec: NormalisedSpec): Json {
  const identities = new Map<string, string>();
  const files = mapFileValues(spec, fileParamKeys(spec), (v) => (typeof v === 'string' ? fileIdentity(v, identities) : v));
  return identityDocument(files);
}

/** SHA-256 (hex) of the result-determining part of a normalised spec (execution settings excluded; files by content). */
export function specHash(spec: NormalisedSpec): string {
  return sha256Hex(canonicalJson(hashedDocument(spec)));
}

/**
 * Whether `hash` is `spec`'s: its `specHash`, or the hash a paradox before files were hashed by
 * content stored — the same document with each file by its absolute path as the spec holds it.
 * The two agree for a spec that names no file. A run made by that paradox keeps its stored hash
 * and is resumed where its files are (its stored spec names them by absolute path).
 */
export function specHashMatches(spec: NormalisedSpec, hash: string): 'current' | 'paths' | false {
  if (specHash(spec) === hash) return 'current';
  return sha256Hex(canonicalJson(identityDocument(spec))) === hash ? 'paths' : false;
}

/**
 * The cells of a normalised spec, in grid order. A spec validated by this module (normaliseSpec,
 * prepareSpec, loadSpec, loadSpecFile) gets the cells computed then; any other is validated now.
 * Throws SpecError if a cell is invalid.
 */
export function expandCells(spec: NormalisedSpec): Cell[] {
  const hit = recalled(spec);
  if (hit) return hit.cells;
  const { cells, issues } = cellIssues(spec, true);
  if (issues.length > 0) throw new SpecError(issues);
  return cells;
}
