// The browser graph of the package: every module under src/ is reachable from src/index.ts, so
// none may import a Node built-in by a static specifier (bundlers stub or reject those) or touch
// `process`. src/internal/node.ts is the one gate to Node, used only after its isNode() check.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const srcDir = fileURLToPath(new URL('../src', import.meta.url));
const GATE = 'internal/node.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Source text without comments, so that prose mentioning `node:` or `process` does not count. */
function code(file: string): string {
  return readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('browser safety of src/', () => {
  const files = sources(srcDir).map((f) => ({ name: relative(srcDir, f).split('\\').join('/'), text: code(f) }));

  it('finds the sources', () => {
    expect(files.map((f) => f.name)).toContain('index.ts');
    expect(files.map((f) => f.name)).toContain(GATE);
  });

  it('no module outside the gate imports a node: built-in or uses process', () => {
    const offenders = files
      .filter((f) => f.name !== GATE)
      .flatMap((f) => [
        ...[...f.text.matchAll(/(?:from\s*|(?<!typeof\s*)import\s*\(\s*)['"`]node:[^'"`]*['"`]/g)].map((m) => `${f.name}: ${m[0]}`),
        ...[...f.text.matchAll(/\bprocess\s*[.[]/g)].map((m) => `${f.name}: ${m[0]}`),
      ]);
    expect(offenders).toEqual([]);
  });
});
