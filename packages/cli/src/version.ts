/** The CLI's version, read from its package.json at runtime (one source of truth). */
import { readFileSync } from 'node:fs';

/** `paradox --version` output: the package version. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
