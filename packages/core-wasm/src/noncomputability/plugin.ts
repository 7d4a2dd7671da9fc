/**
 * Plugins: user algorithms loaded from a module path, and the registry that resolves a cell's
 * `algorithm` name. A plugin is validated before it runs, and every problem is reported as a
 * `CoreError` saying which module, what was wrong and what is expected.
 */
import { CoreError, formatValue, invalidValue } from '../errors.js';
import { importNodeBuiltin, isNode, nodeCwd } from '../internal/node.js';
import type { Algorithm } from './algorithm.js';
import { BUILT_IN_ALGORITHMS, builtInAlgorithm } from './algorithms.js';

const registered = new Map<string, Algorithm>();
const plugins = new Map<string, Algorithm>();

/** Check that `value` implements `Algorithm`; `where` names its origin in error messages. */
export function validateAlgorithm(value: unknown, where: string): Algorithm {
  if (value === null || typeof value !== 'object') {
    throw new CoreError('E_ARG', `${where}: expected an object implementing Algorithm ({ name, run(ctx) }), got ${formatValue(value)}`);
  }
  const a = value as Record<string, unknown>;
  if (typeof a.name !== 'string' || a.name.length === 0) {
    throw new CoreError('E_ARG', `${where}: Algorithm.name: expected a non-empty string, got ${formatValue(a.name)}`);
  }
  if (typeof a.run !== 'function') {
    throw new CoreError('E_ARG', `${where}: Algorithm.run: expected a function (ctx) => { network: { w, v }, steps? }, got ${formatValue(a.run)}`);
  }
  if (a.validateOptions !== undefined && typeof a.validateOptions !== 'function') {
    throw new CoreError('E_ARG', `${where}: Algorithm.validateOptions: expected a function or nothing, got ${formatValue(a.validateOptions)}`);
  }
  if (a.description !== undefined && typeof a.description !== 'string') {
    throw new CoreError('E_ARG', `${where}: Algorithm.description: expected a string or nothing, got ${formatValue(a.description)}`);
  }
  return value as Algorithm;
}

/** Register a user algorithm under its name (cells then use `algorithm: <name>`). A name may be registered once. */
export function registerAlgorithm(algorithm: Algorithm): void {
  const a = validateAlgorithm(algorithm, 'registerAlgorithm');
  if (builtInAlgorithm(a.name) || registered.has(a.name) || a.name === 'plugin') {
    throw new CoreError('E_ARG', `registerAlgorithm: the name ${JSON.stringify(a.name)} is already taken (built-ins: ${BUILT_IN_ALGORITHMS.join(', ')}, plugin)`);
  }
  registered.set(a.name, a);
}

/** URL of a plugin module path: a `file:`/`http(s):`/`data:` URL, or (in Node) a file path relative to the working directory. */
async function pluginUrl(path: string): Promise<string> {
  if (/^(file|https?|data):/.test(path)) return path;
  if (!isNode()) {
    throw new CoreError('E_ARG', `plugin ${JSON.stringify(path)}: a file path can only be resolved in Node; in a browser pass the module's URL (http:, https: or data:)`);
  }
  const { pathToFileURL } = await importNodeBuiltin<typeof import('node:url')>('url');
  const { resolve } = await importNodeBuiltin<typeof import('node:path')>('path');
  return pathToFileURL(resolve(nodeCwd(), path)).href;
}

/**
 * Import a plugin module by path (the one place plugin modules are imported; the algorithm
 * plugins of Result II and the training plugins of Result I both load through it): a
 * `file:`/`http(s):`/`data:` URL, or in Node a path relative to the working directory. An import
 * failure is a `CoreError('E_ARG')` naming the path and the URL.
 * @internal
 */
export async function importPluginModule(path: string): Promise<Record<string, unknown>> {
  const url = await pluginUrl(path);
  try {
    return (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  } catch (e) {
    throw new CoreError('E_ARG', `plugin ${JSON.stringify(path)}: could not import ${url}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Import and validate a plugin module: its default export, or its named export `algorithm`.
 * Loaded plugins are cached by the path string as given, so the synchronous trial runner can use them.
 */
export async function loadPlugin(path: string): Promise<Algorithm> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new CoreError('E_ARG', `loadPlugin: expected a module path, got ${formatValue(path)}`);
  }
  const cached = plugins.get(path);
  if (cached) return cached;
  const mod = await importPluginModule(path);
  const candidate = mod.default ?? mod.algorithm;
  if (candidate === undefined) {
    throw new CoreError('E_ARG', `plugin ${JSON.stringify(path)}: the module has neither a default export nor a named export "algorithm" (exports: ${Object.keys(mod).join(', ') || 'none'})`);
  }
  const alg = validateAlgorithm(candidate, `plugin ${JSON.stringify(path)}`);
  plugins.set(path, alg);
  return alg;
}

/**
 * The algorithm of a cell: a built-in, a registered one, or (for `plugin`) the loaded plugin at
 * `pluginPath`. Throws when unknown or when the plugin has not been loaded yet.
 */
export function resolveAlgorithm(name: string, pluginPath: string | null): Algorithm {
  if (name === 'plugin') {
    const alg = plugins.get(pluginPath ?? '');
    if (!alg) {
      throw new CoreError('E_ARG', `plugin ${JSON.stringify(pluginPath)} is not loaded: call \`await loadPlugin(path)\` first, or use runNoncomputabilityTrialsAsync, which loads it`);
    }
    return alg;
  }
  const alg = builtInAlgorithm(name) ?? registered.get(name);
  if (!alg) {
    const names = [...BUILT_IN_ALGORITHMS, ...registered.keys(), 'plugin'];
    throw invalidValue('noncomputability params', ['algorithm'], `one of ${names.map((n) => JSON.stringify(n)).join(', ')}`, name, names);
  }
  return alg;
}
