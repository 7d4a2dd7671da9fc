#!/usr/bin/env node
// Import cycles between the TypeScript modules of each package's src/ (static imports, re-exports,
// `import type` and dynamic `import()` all count: a type-only cycle still means one module cannot
// be read without the other). Imports are read with TypeScript's own pre-processor, not a regex.
//
//   node scripts/import-cycles.mjs      prints every cycle, exits 1 if there is one (part of `pnpm lint`)
//
// `findImportCycles(srcDir)` is also used by test/import-cycles.test.ts so CI enforces it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Every .ts file under `dir` (declaration files excluded). */
function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The relative imports of a module, resolved to files (`./x.js` → `./x.ts`, `./dir` → `./dir/index.ts`). */
export function moduleImports(file) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const out = [];
  for (const ref of info.importedFiles) {
    const spec = ref.fileName;
    if (!spec.startsWith('.')) continue;
    const base = resolve(dirname(file), spec);
    const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (hit) out.push(hit);
  }
  return out;
}

/**
 * The import cycles among the modules under `srcDir`, each as a list of paths relative to it with
 * the first module repeated at the end (`a.ts → b.ts → a.ts`). One cycle per strongly connected
 * group of modules, so a tangle is reported once.
 */
export function findImportCycles(srcDir) {
  const files = tsFiles(srcDir);
  const graph = new Map(files.map((f) => [f, moduleImports(f).filter((g) => g.startsWith(srcDir))]));
  // Tarjan's strongly connected components; any component of two or more modules (or a module
  // importing itself) holds a cycle.
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(new Set(group));
    }
  };
  for (const f of [...files].sort()) if (!index.has(f)) visit(f);
  // Show one concrete cycle through each group: a shortest path back to its first module.
  return groups.map((group) => {
    const start = [...group].sort()[0];
    const prev = new Map([[start, null]]);
    const queue = [start];
    let end = null;
    while (queue.length > 0 && end === null) {
      const v = queue.shift();
      for (const w of graph.get(v) ?? []) {
        if (!group.has(w)) continue;
        if (w === start) {
          end = v;
          break;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [];
    for (let v = end; v !== null; v = prev.get(v)) path.unshift(v);
    return [...path, start].map((p) => relative(srcDir, p));
  });
}

/** The src/ directories checked: every package's. */
export function sourceDirs(root) {
  const packages = join(root, 'packages');
  return readdirSync(packages)
    .map((p) => join(packages, p, 'src'))
    .filter((d) => existsSync(d));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  let found = 0;
  for (const dir of sourceDirs(root)) {
    for (const cycle of findImportCycles(dir)) {
      found++;
      console.error(`import cycle in ${relative(root, dir)}: ${cycle.join(' → ')}`);
    }
  }
  if (found > 0) {
    console.error(`${found} import cycle(s): move the shared types to the module that owns them`);
    process.exit(1);
  }
}
