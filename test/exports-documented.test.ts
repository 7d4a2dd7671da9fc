/**
 * Every export of every published entry point (each package.json `exports` map) has a doc comment:
 * the house rule for packages others import. The check itself is scripts/exports-documented.mjs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import { publishedEntries, undocumentedExports } from '../scripts/exports-documented.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('doc comments on published exports', () => {
  it('finds an undocumented export, through a re-export too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paradox-docs-'));
    writeFileSync(join(dir, 'a.ts'), '/** Documented. */\nexport const a = 1;\nexport const b = 2;\n');
    writeFileSync(join(dir, 'index.ts'), "export { a, b } from './a.js';\n/** Also documented. */\nexport function c(): void {}\n");
    const found = undocumentedExports([join(dir, 'index.ts')], dir) as Map<string, string[]>;
    expect(found.get(join(dir, 'index.ts'))).toEqual(['b (a.ts)']);
  });

  it('every entry point of every package', () => {
    const entries = publishedEntries(root) as { name: string; file: string }[];
    expect(entries.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        '@paradox/core-wasm', '@paradox/core-wasm/instability', '@paradox/core-wasm/noncomputability', '@paradox/core-wasm/onnx', '@paradox/core-wasm/reference',
        '@paradox/orchestrator', '@paradox/orchestrator/summary', '@paradox/orchestrator/run-dir', '@paradox/orchestrator/stats', '@paradox/orchestrator/worker',
        '@paradox/cli', '@paradox/viz',
      ]),
    );
    const found = undocumentedExports(entries.map((e) => e.file), root) as Map<string, string[]>;
    expect(Object.fromEntries([...found].filter(([, names]) => names.length > 0))).toEqual({});
  }, 120_000);
});
