/**
 * No import cycles inside any package's src/ (type-only imports count: a type cycle still means a
 * layer cannot be read without the other). The same check runs in `pnpm lint`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { findImportCycles, sourceDirs } from '../scripts/import-cycles.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('import cycles', () => {
  it('finds a cycle through type-only, re-export and dynamic imports, and none in a layered tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-cycles-'));
    mkdirSync(join(dir, 'store'));
    writeFileSync(join(dir, 'api.ts'), "export * from './run.js';\nexport type { Row } from './store/db.js';\n");
    writeFileSync(join(dir, 'run.ts'), "import type { Options } from './api.js';\nexport const run = (o: Options) => o;\n");
    writeFileSync(join(dir, 'store', 'db.ts'), "export interface Row { a: number }\nexport const load = () => import('../run.js');\n");
    writeFileSync(join(dir, 'leaf.ts'), 'export const x = 1;\n');
    const cycles = findImportCycles(dir) as string[][];
    expect(cycles).toEqual([['api.ts', 'run.ts', 'api.ts']]);
    writeFileSync(join(dir, 'run.ts'), "import type { Row } from './store/db.js';\nexport const run = (o: Row) => o;\n");
    writeFileSync(join(dir, 'store', 'db.ts'), "export interface Row { a: number }\nexport const load = () => import('../leaf.js');\n");
    expect(findImportCycles(dir)).toEqual([]);
    writeFileSync(join(dir, 'store', 'db.ts'), "export interface Row { a: number }\nexport const load = () => import('../run.js');\n");
    expect(findImportCycles(dir)).toEqual([['run.ts', 'store/db.ts', 'run.ts']]);
  });

  it('the packages have none', () => {
    const dirs = sourceDirs(root) as string[];
    expect(dirs.map((d) => d.slice(root.length))).toEqual(expect.arrayContaining(['packages/core-wasm/src', 'packages/orchestrator/src', 'packages/cli/src', 'packages/viz/src']));
    for (const dir of dirs) expect(findImportCycles(dir), dir).toEqual([]);
  });
});
