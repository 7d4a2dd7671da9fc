/**
 * Spec files: read the bytes (spec/parse.ts: size limit, UTF-8, YAML/JSON documents, alias
 * limit), name nameless documents after the file, make relative plugin paths absolute against the
 * file's directory, then validate every document once (spec/index.ts: schema, structure and every
 * cell together) and load the plugins the cells use. Every problem of every document is reported
 * together in one SpecError; nothing is written by any of this.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { OrchestratorError, SpecError, type SpecIssue } from '../errors.js';
import { rememberSpecDir } from './file-paths.js';
import { prepareSpec } from './index.js';
import { decodeSpecBytes, MAX_SPEC_BYTES, parseSpecDocuments, resolvePluginPaths, syntaxError } from './parse.js';
import type { NormalisedSpec, SpecInput } from './types.js';

/** One document of a spec file, validated. */
export interface SpecFileDocument {
  /** 0-based position in the file. */
  index: number;
  /**
   * The document as read, after the loader's own changes (default name, absolute plugin paths,
   * `description` removed, overrides applied): what `normaliseSpec` validated. Kept because it
   * re-validates to the same spec (a multi-spec run stores it to start a part later).
   */
  input: Record<string, unknown>;
  /** The validated, normalised spec (its cells are computed and cached for runSweep). */
  spec: NormalisedSpec;
  /** The document's `description` (a string shown by `paradox presets`), if any. */
  description?: string;
}

/** Options of `loadSpecFile`. */
export interface LoadSpecFileOptions {
  /** How errors name the file (default: the path). */
  label?: string;
  /** Name of a nameless document (default: the file's base name; `-2`, `-3`, … appended per document when there are several). */
  name?: string;
  /** `trials: N` replaces any `trials`/`stop` of every document (the CLI's `--trials`). */
  trials?: number;
}

/** The file's bytes, refused above MAX_SPEC_BYTES before they are read. */
async function readSpecBytes(path: string, where: string): Promise<Uint8Array> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new OrchestratorError('E_USAGE', `${where}: is a directory; expected a spec file (.yaml, .yml, .json)`);
    if (st.size > MAX_SPEC_BYTES) {
      throw syntaxError(`${where}: the file is ${st.size} bytes; a spec may have at most ${MAX_SPEC_BYTES} bytes (1 MiB)`);
    }
    return await readFile(path);
  } catch (e) {
    if (e instanceof OrchestratorError) throw e;
    throw new OrchestratorError('E_USAGE', `${where}: cannot read the spec file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Read, parse and validate every document of a spec file (`.json`: one JSON document; otherwise
 * YAML, several documents separated by `---`). Each document is validated once (schema, structure
 * and every cell's parameters together) and the plugin modules its cells use are imported and
 * checked. Throws E_SPEC_SYNTAX (unreadable as a spec), E_USAGE (unreadable file) or one SpecError
 * listing the problems of every document.
 */
export async function loadSpecFile(path: string, options: LoadSpecFileOptions = {}): Promise<SpecFileDocument[]> {
  const where = options.label ?? path;
  const text = decodeSpecBytes(await readSpecBytes(path, where), where);
  const objects = parseSpecDocuments(text, extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', where);
  const name = options.name ?? basename(path, extname(path));
  const base = dirname(resolve(path));
  const issues: SpecIssue[] = [];
  const docs: SpecFileDocument[] = [];
  for (const [index, o] of objects.entries()) {
    let input = resolvePluginPaths({ ...(o as Record<string, unknown>) }, base);
    if (!('name' in input)) input.name = objects.length > 1 ? `${name}-${index + 1}` : name;
    // `description` documents a preset (`paradox presets`); it is not part of the spec.
    const description = typeof input.description === 'string' ? input.description : undefined;
    if (description !== undefined) delete input.description;
    if (options.trials !== undefined) {
      input = { ...input, trials: options.trials };
      delete input.stop;
    }
    try {
      const spec = await prepareSpec(input);
      // Its files are named relative to this directory in the summary (spec/file-paths.ts).
      rememberSpecDir(spec, base);
      docs.push({ index, input, spec, ...(description !== undefined ? { description } : {}) });
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      const tag = objects.length > 1 ? `document ${index + 1}: ` : '';
      for (const i of e.issues) issues.push(tag ? { ...i, document: index + 1, message: `${tag}${i.message}` } : i);
    }
  }
  if (issues.length > 0) throw new SpecError(issues, where);
  return docs;
}

/**
 * Read and normalise a single spec: a file path (`.yaml`, `.yml`, `.json`; see loadSpecFile, whose
 * only document it must be) or an object. Plugins the cells use are loaded and checked. Throws
 * SpecError, E_SPEC_SYNTAX or E_USAGE (unreadable file).
 */
export async function loadSpec(source: string | SpecInput): Promise<NormalisedSpec> {
  if (typeof source !== 'string') return prepareSpec(source);
  const docs = await loadSpecFile(source);
  if (docs.length > 1) {
    throw new OrchestratorError('E_SPEC_SYNTAX', `${source}: holds ${docs.length} spec documents; expected one (loadSpecFile reads several)`);
  }
  return (docs[0] as { spec: NormalisedSpec }).spec;
}

