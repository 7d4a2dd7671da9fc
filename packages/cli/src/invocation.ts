/**
 * How the user started `paradox`, so that a message telling them what to run next (`paradox
 * resume DIR`, `paradox explore`) prints a command that works where they are: `paradox` when it
 * is on PATH, `npx pnpm@9 paradox` or `pnpm paradox` inside the repository, else `node <bin>`.
 */
import { accessSync, constants } from 'node:fs';
import { basename, delimiter, join, relative } from 'node:path';

/**
 * True when `name` is an executable on PATH that stays there after this process: not in a
 * node_modules/.bin that pnpm or npm put on PATH for this command, nor in npx's cache.
 */
function onPath(env: NodeJS.ProcessEnv, name: string): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir || dir.includes('node_modules') || dir.includes('_npx')) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * The command prefix that runs paradox in the user's context. `env`, `argv1` and `cwd` default to
 * the process's (parameters for tests).
 */
export function invocation(env: NodeJS.ProcessEnv = process.env, argv1: string = process.argv[1] ?? '', cwd: string = process.cwd()): string {
  const agent = env.npm_config_user_agent ?? '';
  if (agent.startsWith('pnpm/')) {
    // Started by pnpm (`pnpm paradox`, `pnpm exec paradox`, `npx pnpm@9 paradox`): `pnpm` works
    // again only when it is installed, not when npx fetched it for this one command.
    return onPath(env, 'pnpm') ? 'pnpm paradox' : 'npx pnpm@9 paradox';
  }
  if (agent.startsWith('npm/')) return 'npx paradox';
  if (basename(argv1) === 'paradox' || onPath(env, 'paradox')) return 'paradox';
  const rel = relative(cwd, argv1);
  return `node ${rel && !rel.startsWith('..') ? rel : argv1}`;
}
