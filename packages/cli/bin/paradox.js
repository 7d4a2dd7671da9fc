#!/usr/bin/env node
// The `paradox` executable as installed: a committed file (so that `pnpm install` can link it
// before anything is built) that runs the compiled CLI in dist/.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(dist)) {
  process.stderr.write('paradox: the CLI is not built yet; run `npx pnpm@9 build` in the repository first\n');
  process.exit(1);
}
await import(dist.href);
