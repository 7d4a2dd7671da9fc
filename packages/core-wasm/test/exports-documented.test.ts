// Every export of the public entry point carries a doc comment (the house rule for a package that
// others import): the compiler resolves each export to its declaration and reads its JSDoc.
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

describe('public API documentation', () => {
  it.each([
    ['src/index.ts', 40],
    ['src/instability/index.ts', 15],
    ['src/noncomputability/index.ts', 15],
    ['src/io/onnx-entry.ts', 5],
  ])('every export of %s (a published entry point) has a doc comment', (file, atLeast) => {
    const entry = join(pkgDir, file);
    const program = ts.createProgram([entry], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(entry);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    expect(moduleSymbol, `${file} did not resolve`).toBeDefined();
    const exports = checker.getExportsOfModule(moduleSymbol!);
    expect(exports.length).toBeGreaterThan(atLeast);
    const undocumented = exports.flatMap((exp) => {
      const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      if (ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '') return [];
      const decl = target.declarations?.[0];
      const file = decl ? relative(pkgDir, decl.getSourceFile().fileName) : '?';
      return [`${exp.name} (${file})`];
    });
    expect(undocumented).toEqual([]);
  }, 60_000);
});
