/**
 * The only place that reaches Node built-ins. Browser bundles of the core must not contain a
 * `node:` specifier (bundlers stub them out with warnings, or fail), so the specifier is built at
 * run time where no bundler can see it, and only on paths that first checked `isNode()`.
 */

/** True when running in Node (a browser, or a browser worker, has no `process.versions.node`). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

/** The working directory in Node; only call after `isNode()`. */
export function nodeCwd(): string {
  return process.cwd();
}

/** `import('node:<name>')`, invisible to bundlers; only call after `isNode()`. */
export function importNodeBuiltin<T>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}
