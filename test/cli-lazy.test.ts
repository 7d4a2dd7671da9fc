/**
 * The CLI loads a command's module only when that command is chosen: `paradox --help`,
 * `--version` and a mistyped command import none of them (nor the orchestrator, zod, yaml or the
 * core), and still list every command and suggest the closest one. Each invocation runs the built
 * binary with a module-resolution hook that writes every file it resolves to stderr.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, specDir, userEnv } from './cli-helpers.js';
import { COMMAND_SUMMARIES } from '../packages/cli/src/commands/names.js';

let hook: string;
beforeAll(() => {
  const dir = specDir();
  hook = join(dir, 'log-imports.mjs');
  const resolveHook = `export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.startsWith('file:')) process.stderr.write('IMPORT ' + r.url + '\\n'); return r; }`;
  writeFileSync(hook, `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(resolveHook)}));\n`);
});

function traced(args: string[]): { code: number | null; stdout: string; stderr: string; imports: string[] } {
  const r = spawnSync(process.execPath, ['--import', hook, BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: userEnv() });
  const lines = r.stderr.split('\n');
  const imports = lines.filter((l) => l.startsWith('IMPORT ')).map((l) => l.slice('IMPORT '.length));
  return { code: r.status, stdout: r.stdout, stderr: lines.filter((l) => !l.startsWith('IMPORT ')).join('\n'), imports };
}

/** The CLI's command modules among `imports` (names.js, the light table, is not one). */
const commandModules = (imports: string[]) =>
  imports.filter((u) => /\/packages\/cli\/dist\/commands\/[^/]+\.js$/.test(u) && !u.endsWith('/names.js')).map((u) => u.slice(u.lastIndexOf('/') + 1));
const heavy = (imports: string[]) => imports.filter((u) => /\/(orchestrator|core-wasm|viz)\/dist\/|\/node_modules\/\.pnpm\/(zod|yaml)@/.test(u));

describe('lazy command loading', () => {
  it('--help lists every command with its summary and loads no command module', () => {
    const r = traced(['--help']);
    expect(r.code).toBe(0);
    for (const [name, summary] of Object.entries(COMMAND_SUMMARIES)) expect(r.stdout).toContain(`  ${name.padEnd(7)}  ${summary}\n`);
    expect(r.imports.some((u) => u.endsWith('/packages/cli/dist/main.js'))).toBe(true);
    expect(commandModules(r.imports)).toEqual([]);
    expect(heavy(r.imports)).toEqual([]);
  });

  it('--version and a mistyped command load no command module; the mistype still gets its suggestion', () => {
    const v = traced(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^paradox \d+\.\d+\.\d+/);
    expect(commandModules(v.imports)).toEqual([]);
    const t = traced(['rnu', 'breakdown']);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain("unknown command 'rnu' (did you mean 'run'?)");
    expect(commandModules(t.imports)).toEqual([]);
    expect(heavy(t.imports)).toEqual([]);
  });

  it('a chosen command loads its own module only, and its help still comes from it', () => {
    const r = traced(['explain', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`paradox explain — ${COMMAND_SUMMARIES.explain}`);
    expect(commandModules(r.imports)).toEqual(['explain.js']);
    const h = traced(['help', 'presets']);
    expect(h.stdout.split('\n')[0]).toBe(`paradox presets — ${COMMAND_SUMMARIES.presets}`);
    expect(commandModules(h.imports)).toEqual(['presets.js']);
  });
});
