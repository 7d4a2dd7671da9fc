#!/usr/bin/env node
// Every export of every published entry point carries a doc comment (the house rule for packages
// others import). The entry points are read from each package.json `exports` map (a `./dist/x.js`
// target is the source `src/x.ts`), so a new subpath is covered without editing a list; the
// compiler resolves each export to its declaration and reads its JSDoc.
//
//   node scripts/exports-documented.mjs      prints every undocumented export, exits 1 if there is one
//
// `publishedEntries(root)` and `undocumentedExports(files)` are used by test/exports-documented.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The source file of every JavaScript entry point in the packages' `exports` maps: `{ name, file }`. */
export function publishedEntries(root) {
  const out = [];
  const packages = join(root, 'packages');
  for (const dir of readdirSync(packages).sort()) {
    const pkgFile = join(packages, dir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const js = typeof target === 'string' ? target : target?.default;
      if (typeof js !== 'string' || !/^\.\/dist\/.+\.js$/.test(js)) continue;
      const file = join(packages, dir, js.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'));
      out.push({ name: sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`, file });
    }
  }
  return out;
}

/** The exports without a doc comment, per entry file: `Map<file, ["name (declaring file)", …]>`. */
export function undocumentedExports(files, root = process.cwd()) {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const out = new Map();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) {
      out.set(file, ['(the file did not resolve)']);
      continue;
    }
    out.set(
      file,
      checker.getExportsOfModule(moduleSymbol).flatMap((exp) => {
        const target = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
        if (ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '') return [];
        const decl = target.declarations?.[0];
        return [`${exp.name} (${decl ? relative(root, decl.getSourceFile().fileName) : '?'})`];
      }),
    );
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const entries = publishedEntries(root);
  let found = 0;
  for (const [file, names] of undocumentedExports(entries.map((e) => e.file), root)) {
    for (const n of names) {
      found++;
      console.error(`${relative(root, file)}: ${n} has no doc comment`);
    }
  }
  if (found > 0) process.exit(1);
}
