/** `paradox run SPEC|PRESET`: validate the spec(s), create the run directory, run, report, headline. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { choiceOption, intOption, redisOption, type CommandSpec, type ParsedArgs } from '../args.js';
import type { Context } from '../context.js';
import type { NormalisedSpec } from '@paradox/orchestrator';
import type { ExecOptions, Job } from '../engine.js';
import { UsageError } from '../errors.js';
import { withEarlyPool } from '../early-pool.js';
import { chooseRunDir, subdirNames, writeManifest } from '../rundir.js';
import { provenance } from '../version.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

const BACKENDS = ['local', 'bullmq'] as const;

/** Options shared by `run` and `demo`. */
export const RUN_OPTIONS: CommandSpec['options'] = {
  out: { type: 'string', short: 'o', value: 'DIR', description: 'run directory to create (default ./runs/<name>-<timestamp>; never overwritten)' },
  workers: { type: 'string', short: 'w', value: 'N', description: 'worker threads (local) or expected remote capacity (bullmq); a number or auto' },
  backend: { type: 'string', value: 'NAME', description: 'execution backend: local (default) or bullmq' },
  redis: { type: 'string', value: 'URL', description: 'Redis URL for --backend bullmq (redis://host:6379); default $PARADOX_REDIS_URL, then $REDIS_URL' },
  'redis-password-file': { type: 'string', value: 'FILE', description: 'read the Redis password from FILE (keeps it out of ps and shell history)' },
  trials: { type: 'string', value: 'N', description: 'fixed number of trials per cell and sign (replaces the spec\'s stopping rule)' },
  json: { type: 'boolean', description: 'print NDJSON events on stdout (one JSON object per line) instead of a progress bar' },
};

/** The environment variables a Redis URL is taken from when --redis is not given, in order. */
export const REDIS_ENV = ['PARADOX_REDIS_URL', 'REDIS_URL'] as const;

/**
 * The Redis URL of the command line: `--redis`, else `$PARADOX_REDIS_URL`, else `$REDIS_URL`
 * (both keep the password out of `ps`); undefined when none is set (the spec's `redis:` applies).
 */
export function redisFromCommandLine(cmd: string, v: ParsedArgs['values'], env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof v.redis === 'string') return redisOption(cmd, v.redis);
  for (const name of REDIS_ENV) {
    const value = env[name];
    if (value !== undefined && value !== '') return redisOption(cmd, value, `$${name}`);
  }
  return undefined;
}

/** The password in `--redis-password-file FILE` (its first line), or undefined without the flag. */
export function redisPasswordFile(cmd: string, v: ParsedArgs['values'], cwd: string): string | undefined {
  if (typeof v['redis-password-file'] !== 'string') return undefined;
  const path = resolve(cwd, v['redis-password-file']);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new UsageError(`${cmd}: --redis-password-file ${path}: cannot read it (${why})`, { command: cmd });
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '' || /[\r\n]/.test(password)) {
    throw new UsageError(`${cmd}: --redis-password-file ${path}: expected the password on one line, found ${password === '' ? 'an empty file' : 'several lines'}`, { command: cmd });
  }
  return password;
}

/** `url` with its password set to `password` (percent-encoded as the Redis client expects). */
export function withRedisPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.href.replace(/\/$/, '');
}

/** Reads the execution flags common to run, demo and resume. */
export function execOptions(cmd: string, v: ParsedArgs['values'], cwd: string = process.cwd()): ExecOptions {
  const exec: ExecOptions = { json: v.json === true };
  if (typeof v.workers === 'string') exec.workers = v.workers === 'auto' ? 'auto' : intOption(cmd, 'workers', v.workers, 1, 1024);
  if (typeof v.backend === 'string') exec.backend = choiceOption(cmd, 'backend', v.backend, BACKENDS);
  const redis = redisFromCommandLine(cmd, v);
  if (redis !== undefined) exec.redis = redis;
  const password = redisPasswordFile(cmd, v, cwd);
  if (password !== undefined) exec.redisPassword = password;
  if (exec.backend === 'bullmq' && exec.redis === undefined) {
    throw new UsageError(`${cmd}: --backend bullmq needs a Redis URL: --redis URL or $PARADOX_REDIS_URL (e.g. redis://127.0.0.1:6379)`, { command: cmd });
  }
  return exec;
}

/**
 * The Redis URL a session uses: the command line's, else `fallback` (the spec's `redis:`), with
 * the password of `--redis-password-file` put in. E_USAGE when a password file has no URL to go with.
 */
export function sessionRedis(cmd: string, exec: ExecOptions, fallback: string | undefined): string | undefined {
  const url = exec.redis ?? fallback;
  if (exec.redisPassword === undefined) return exec.redis;
  if (url === undefined) {
    throw new UsageError(`${cmd}: --redis-password-file needs a Redis URL to go with: --redis URL, $PARADOX_REDIS_URL or the spec's redis:`, { command: cmd });
  }
  return withRedisPassword(url, exec.redisPassword);
}

/** A spec document as it may be stored: its `redis:` URL without the password. */
export function redactedDocument(input: Record<string, unknown>, redactUrl: (url: string) => string): Record<string, unknown> {
  return typeof input.redis === 'string' ? { ...input, redis: redactUrl(input.redis) } : input;
}

/** Runs a spec file or preset; shared by `run` and `demo`. */
export async function runSpecArg(cmd: string, arg: string, values: ParsedArgs['values'], ctx: Context): Promise<number> {
  // The run records which code made it (spec.json's provenance): git answers while the spec loads.
  void provenance();
  const exec = execOptions(cmd, values, ctx.cwd);
  // A local run's worker threads boot while the spec loads (unless the spec then asks for another
  // backend or thread count: that pool is destroyed and the run starts its own).
  return withEarlyPool(exec.backend === 'bullmq' ? undefined : (exec.workers ?? 'auto'), (release) => runSpecs(cmd, arg, values, ctx, exec, release));
}

async function runSpecs(cmd: string, arg: string, values: ParsedArgs['values'], ctx: Context, exec: ExecOptions, releasePool: () => Promise<void>): Promise<number> {
  // The orchestrator is loaded only when a command needs it: --help and usage errors stay fast.
  const { loadSpecDocuments, resolveSpecArg } = await import('../spec.js');
  const trials = typeof values.trials === 'string' ? intOption(cmd, 'trials', values.trials, 1, 100_000_000) : undefined;
  const source = resolveSpecArg(arg, ctx.cwd, ctx.invocation);
  // Every document is validated (once: runSweep reuses the cells) before anything is written: a
  // bad spec leaves no directory behind.
  const docs = await loadSpecDocuments(source, trials !== undefined ? { trials } : {});
  const specs: NormalisedSpec[] = docs.map((d) => d.spec);
  // The spec runs elsewhere (bullmq): the threads started for a local run are not needed.
  if ((exec.backend ?? specs[0]!.backend) !== 'local') await releasePool();
  const out = typeof values.out === 'string' ? values.out : undefined;
  const dir = chooseRunDir(ctx.cwd, specs.length === 1 ? specs[0]!.name : source.name, out, ctx.invocation);
  const { ensureDir, printHeadlines, runJobs } = await import('../engine.js');
  const { redactUrl, specDirOf, storedDir, storedFilePaths } = await import('@paradox/orchestrator');
  const redis = sessionRedis(cmd, exec, specs[0]!.redis);
  if (redis !== undefined) exec.redis = redis;
  let jobs: Job[];
  if (specs.length === 1) {
    jobs = [{ label: specs[0]!.name, dir, spec: specs[0]! }];
  } else {
    const subdirs = subdirNames(specs.map((s) => s.name));
    if ((exec.backend ?? specs[0]!.backend) === 'bullmq') {
      // The manifest is written before the first part runs: check Redis first, so a wrong URL,
      // password or a Redis that is down leaves nothing behind (runSweep checks each part too).
      const { preflightBullmq } = await import('@paradox/orchestrator');
      await preflightBullmq(exec.redis ?? specs[0]!.redis);
    }
    ensureDir(dir);
    writeManifest(dir, {
      format: 'paradox-runs/1',
      source: source.name,
      // Never the Redis password: the manifest is as readable as the rest of the run directory. Files
      // are named relative to the directory, so a project moved with its runs still starts its parts.
      runs: specs.map((s, i) => ({
        name: s.name,
        subdir: subdirs[i]!,
        spec: storedFilePaths(redactedDocument(docs[i]!.input, redactUrl), dir),
        specDir: storedDir(specDirOf(s) ?? ctx.cwd, dir),
      })),
    });
    jobs = specs.map((s, i) => ({ label: `${source.name}/${s.name}`, dir: join(dir, subdirs[i]!), spec: s }));
  }
  const session = await runJobs(ctx, jobs, exec, specs.length > 1 ? dir : undefined);
  printHeadlines(ctx, session, exec.json, specs.length > 1 ? dir : undefined);
  return session.exitCode;
}

/** `paradox run`. */
export const runCommand: Command = {
  spec: {
    name: 'run',
    summary: COMMAND_SUMMARIES.run,
    details:
      'SPEC is a YAML or JSON sweep spec (several YAML documents run one after the other into\n' +
      'subdirectories); PRESET is the name of a shipped spec (see: paradox presets). Ctrl-C stops\n' +
      'cleanly after the batches in flight; finish later with paradox resume DIR.\n' +
      'Exit codes: 0 done, 1 runtime failure, 2 bad usage or bad spec, 130 interrupted.',
    positionals: [{ name: 'SPEC|PRESET', required: true, description: 'spec file (.yaml, .yml, .json) or preset name' }],
    options: RUN_OPTIONS,
    examples: [
      'paradox run breakdown',
      'paradox run my-sweep.yaml --out runs/my-sweep --workers 4',
      'paradox run noncomputability --trials 200 --json > events.ndjson',
      'paradox run instability --backend bullmq --redis redis://127.0.0.1:6379',
    ],
  },
  run: (args, ctx) => runSpecArg('run', args.positionals[0]!, args.values, ctx),
};
