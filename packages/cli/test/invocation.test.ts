import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command } from '../src/context.js';
import { invocation } from '../src/invocation.js';

/** A PATH directory holding executables named `names`. */
function pathWith(...names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'paradox-path-'));
  for (const n of names) {
    writeFileSync(join(dir, n), '#!/bin/sh\n');
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}

describe('invocation: the command that runs paradox where the user is', () => {
  const repo = '/home/u/paradox';
  it('pnpm without a pnpm of its own (npx pnpm@9 paradox) → npx pnpm@9 paradox', () => {
    const npx = join(mkdtempSync(join(tmpdir(), 'x-')), '_npx', 'abc', 'node_modules', '.bin');
    mkdirSync(npx, { recursive: true });
    writeFileSync(join(npx, 'pnpm'), '');
    chmodSync(join(npx, 'pnpm'), 0o755);
    // The lasting PATH entry is a made-up one holding node but no pnpm: the machine's own /usr/bin
    // may well hold a pnpm (corepack enable, a distribution package), which would rightly win.
    const system = pathWith('node');
    expect(invocation({ npm_config_user_agent: 'pnpm/9.15.9 npm/? node/v20', PATH: `${repo}/node_modules/.bin:${npx}:${system}` }, `${repo}/node_modules/.bin/paradox`, repo)).toBe('npx pnpm@9 paradox');
  });
  it('pnpm installed on PATH → pnpm paradox', () => {
    expect(invocation({ npm_config_user_agent: 'pnpm/9.15.9', PATH: pathWith('pnpm') }, '/x/paradox', repo)).toBe('pnpm paradox');
  });
  it('npm exec / npx → npx paradox', () => {
    expect(invocation({ npm_config_user_agent: 'npm/10.8.2 node/v20', PATH: '' }, '/x/paradox', repo)).toBe('npx paradox');
  });
  it('paradox on PATH → paradox; node with a script path → that node command', () => {
    expect(invocation({ PATH: pathWith('paradox') }, `${repo}/packages/cli/dist/bin.js`, repo)).toBe('paradox');
    expect(invocation({ PATH: pathWith('other') }, `${repo}/packages/cli/dist/bin.js`, repo)).toBe('node packages/cli/dist/bin.js');
    expect(invocation({ PATH: '' }, `${repo}/packages/cli/dist/bin.js`, '/elsewhere')).toBe(`node ${repo}/packages/cli/dist/bin.js`);
  });
  it('command() prefixes a subcommand; plain paradox when the context does not say', () => {
    expect(command({ invocation: 'npx pnpm@9 paradox' }, 'resume runs/x')).toBe('npx pnpm@9 paradox resume runs/x');
    expect(command({}, 'explore')).toBe('paradox explore');
  });
});
