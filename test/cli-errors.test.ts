/**
 * Bad invocations of the built `paradox` binary: exact exit codes and messages (what was wrong,
 * where, what is allowed, did you mean), nothing written, no stack traces unless --debug.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ndjson, paradox, ROOT, specDir } from './cli-helpers.js';

const COMMANDS = 'run, resume, report, export, analyse, verify, stripes, worker, presets, demo, bench, explore, explain';
const PRESETS = 'breakdown, demo, instability, noncomputability';
const RUN_FLAGS = '--out, --workers, --backend, --redis, --redis-password-file, --trials, --json, --help, --version, --debug';

const TINY_SPEC = `name: tiny
experiment: noncomputability
seed: 7
grid:
  algorithm: [coin, exact-read]
  K: [8]
  readBits: [4, 16]
fixed:
  epsilons: [0.1, 0.45, 0.5]
trials: 20
`;

let dir: string;
beforeAll(() => {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  dir = specDir({
    'tiny.yaml': TINY_SPEC,
    'broken.yaml': 'name: broken\nexperiment: noncomputability\ngrid: [unclosed\n',
    'list.yaml': '- name: a\n- name: b\n',
    'empty.yaml': '',
    'typos.yaml': TINY_SPEC.replace('experiment:', 'experimnt:') + 'backend: locl\n',
    'typo-value.yaml': TINY_SPEC.replace('seed: 7', 'seed: -3'),
    'bad.json': '{"name": "x",',
    'bad-param.yaml': TINY_SPEC.replace('epsilons:', 'lamda: 0.05\n  epsilons:'),
    'bad-values.yaml': TINY_SPEC.replace('[coin, exact-read]', '[coin, exact_read]').replace('K: [8]', 'K: [8, 0]'),
    // Five mistakes of every kind (schema, unknown parameter, bad grid values, a missing plugin): one run lists them all.
    'five.yaml': TINY_SPEC.replace('seed: 7', 'seed: -7\nbackend: locl')
      .replace('[coin, exact-read]', '[coin, exact_read, plugin]')
      .replace('K: [8]', 'K: [8, 0]')
      .replace('epsilons:', 'lamda: 0.05\n  plugin: ./no-such-plugin.mjs\n  epsilons:'),
    'missing-plugin.yaml': TINY_SPEC.replace('[coin, exact-read]', '[coin, plugin]').replace('epsilons:', 'plugin: ./no-such-plugin.mjs\n  epsilons:'),
    'bomb.yaml': `${levels.join('\n')}\n${TINY_SPEC}`,
    'latin1.yaml': Buffer.concat([Buffer.from(TINY_SPEC.replace('name: tiny\n', '')), Buffer.from('name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    'huge.yaml': `${TINY_SPEC}#${'x'.repeat(1 << 20)}\n`,
  });
  mkdirSync(join(dir, 'taken'));
  writeFileSync(join(dir, 'taken', 'keep.txt'), 'precious');
});

interface Case {
  name: string;
  args: string[];
  code: number;
  /** The exact stderr, or patterns it must match. */
  stderr: string | RegExp[];
}

const cases: Case[] = [
  {
    name: 'unknown command',
    args: ['rn', 'demo'],
    code: 2,
    stderr: `paradox: unknown command 'rn' (did you mean 'run'?); commands are: ${COMMANDS} (see paradox --help)\n`,
  },
  {
    name: 'unknown command without a close match',
    args: ['frobnicate'],
    code: 2,
    stderr: `paradox: unknown command 'frobnicate'; commands are: ${COMMANDS} (see paradox --help)\n`,
  },
  { name: 'no command at all', args: [], code: 2, stderr: [/^paradox — run the experiments/, /Commands:\n {2}run {6}run a sweep/] },
  {
    name: 'unknown preset',
    args: ['run', 'instabilty'],
    code: 2,
    stderr: `paradox: unknown preset 'instabilty' (did you mean 'instability'?); presets are: ${PRESETS} (or give a path to a spec file; list them with: paradox presets)\n`,
  },
  {
    name: 'unknown flag',
    args: ['run', 'demo', '--wokers', '2'],
    code: 2,
    stderr: `paradox: run: unknown option --wokers (did you mean '--workers'?); allowed: ${RUN_FLAGS}\n(see: paradox run --help)\n`,
  },
  {
    name: 'unknown flag before the command',
    args: ['--debgu', 'presets'],
    code: 2,
    stderr: `paradox: unknown option --debgu (did you mean '--debug'?) before the command; usage: paradox COMMAND [options] (see paradox --help)\n`,
  },
  {
    name: 'flag without its value',
    args: ['run', 'demo', '--out'],
    code: 2,
    stderr: `paradox: run: option --out needs a value (DIR: run directory to create (default ./runs/<name>-<timestamp>; never overwritten))\n(see: paradox run --help)\n`,
  },
  {
    name: 'flag swallowing the next flag',
    args: ['run', 'demo', '--out', '--workers', '2'],
    code: 2,
    stderr: [/^paradox: run: option --out needs a value/],
  },
  {
    name: 'non-integer worker count',
    args: ['run', 'demo', '--workers', 'zero'],
    code: 2,
    stderr: `paradox: run: --workers expects an integer from 1 to 1024, got 'zero'\n(see: paradox run --help)\n`,
  },
  {
    name: 'zero trials',
    args: ['run', 'demo', '--trials', '0'],
    code: 2,
    stderr: `paradox: run: --trials expects an integer from 1 to 100000000, got 0\n(see: paradox run --help)\n`,
  },
  {
    name: 'misspelt backend',
    args: ['run', 'demo', '--backend', 'lokal'],
    code: 2,
    stderr: `paradox: run: --backend must be one of local, bullmq, got 'lokal' (did you mean 'local'?)\n(see: paradox run --help)\n`,
  },
  {
    name: 'bullmq without Redis',
    args: ['run', 'demo', '--backend', 'bullmq'],
    code: 2,
    stderr: `paradox: run: --backend bullmq needs a Redis URL: --redis URL or $PARADOX_REDIS_URL (e.g. redis://127.0.0.1:6379)\n(see: paradox run --help)\n`,
  },
  {
    name: 'boolean flag with a value',
    args: ['run', 'demo', '--json=yes'],
    code: 2,
    stderr: `paradox: run: option --json takes no value, got 'yes'\n(see: paradox run --help)\n`,
  },
  {
    name: 'missing spec argument',
    args: ['run'],
    code: 2,
    stderr: `paradox: run: missing SPEC|PRESET (spec file (.yaml, .yml, .json) or preset name)\nusage: paradox run SPEC|PRESET [options]\n(see: paradox run --help)\n`,
  },
  {
    name: 'extra argument',
    args: ['presets', 'all'],
    code: 2,
    stderr: `paradox: presets: unexpected argument 'all' (presets takes no arguments)\nusage: paradox presets [options]\n(see: paradox presets --help)\n`,
  },
  { name: 'missing spec file', args: ['run', 'nope.yaml'], code: 2, stderr: [/^paradox: nope\.yaml: no such spec file \(looked at \/.*\/nope\.yaml\)\n$/] },
  { name: 'a directory as spec', args: ['run', '.'], code: 2, stderr: [/^paradox: \.: is a directory; expected a spec file \(\.yaml, \.yml, \.json\) or a preset name/] },
  {
    name: 'YAML syntax error',
    args: ['run', 'broken.yaml'],
    code: 2,
    stderr: [/^paradox: \/.*\/broken\.yaml: YAML syntax error at line \d+, column \d+: [^\n]*[^:\n]\n$/],
  },
  { name: 'JSON syntax error', args: ['run', 'bad.json'], code: 2, stderr: [/^paradox: \/.*\/bad\.json: not valid JSON: /] },
  {
    name: 'a list instead of a spec',
    args: ['run', 'list.yaml'],
    code: 2,
    stderr: [/^paradox: \/.*\/list\.yaml: expected a mapping of spec keys \(name, experiment, seed, grid, fixed, …\), got a list\n$/],
  },
  { name: 'empty spec file', args: ['run', 'empty.yaml'], code: 2, stderr: [/^paradox: \/.*\/empty\.yaml: the file holds no spec \(it is empty\)\n$/] },
  {
    name: 'misspelt spec key and value',
    args: ['run', 'typos.yaml'],
    code: 2,
    stderr: [
      /^paradox: \/.*\/typos\.yaml: invalid sweep spec \(3 problems\):\n/,
      /\n {2}experiment: expected one of: noncomputability, instability, analyse, verify, got nothing \(the key is missing\)\n/,
      /\n {2}backend: expected one of: local, bullmq, got "locl" \(did you mean 'local'\?\)\n/,
      /\n {2}experimnt: unknown key; expected one of the keys: name, experiment, seed, grid, zip, fixed, trials, stop, confidence, backend, workers, batch, batchTimeout, redis \(did you mean 'experiment'\?\)\n$/,
    ],
  },
  { name: 'out-of-range spec value', args: ['run', 'typo-value.yaml'], code: 2, stderr: [/^paradox: \/.*\/typo-value\.yaml: invalid sweep spec:\n {2}seed: expected an integer in \[0, 2\^53 − 1\], got -3\n$/] },
  {
    name: 'misspelt experiment parameter',
    args: ['run', 'bad-param.yaml'],
    code: 2,
    stderr: [/^paradox: \/.*\/bad-param\.yaml: invalid sweep spec:\n {2}fixed\.lamda: unknown parameter; expected a parameter of noncomputability: algorithm, K, readBits, .*lambda.* \(did you mean 'lambda'\?\)\n$/],
  },
  {
    name: 'bad parameter values in the grid',
    args: ['run', 'bad-values.yaml'],
    code: 2,
    stderr: [/\n {2}grid\.K\[1\]: expected an integer in \[1, 1000\], got 0\n/, /\n {2}grid\.algorithm\[1\]: expected one of gd, .*exact-read.*, got "exact_read" \(did you mean 'exact-read'\?\)\n/],
  },
  {
    name: 'five mistakes in one spec, all reported in one run',
    args: ['run', 'five.yaml'],
    code: 2,
    stderr: [
      /^paradox: \/.*\/five\.yaml: invalid sweep spec \(6 problems\):\n/,
      /\n {2}seed: expected an integer in \[0, 2\^53 − 1\], got -7\n/,
      /\n {2}backend: expected one of: local, bullmq, got "locl" \(did you mean 'local'\?\)\n/,
      /\n {2}fixed\.lamda: unknown parameter; .* \(did you mean 'lambda'\?\)\n/,
      /\n {2}grid\.algorithm\[1\]: expected one of .*, got "exact_read" \(did you mean 'exact-read'\?\)\n/,
      /\n {2}grid\.K\[1\]: expected an integer in \[1, 1000\], got 0\n/,
      /\n {2}fixed\.plugin: expected a module that exists and exports a paradox algorithm .*could not import .*\n$/,
    ],
  },
  {
    name: 'a plugin module that does not exist',
    args: ['run', 'missing-plugin.yaml'],
    code: 2,
    stderr: [/^paradox: \/.*\/missing-plugin\.yaml: invalid sweep spec:\n {2}fixed\.plugin: expected a module that exists and exports a paradox algorithm .*; plugin "\/.*\/no-such-plugin\.mjs": could not import /],
  },
  { name: 'a YAML alias bomb', args: ['run', 'bomb.yaml'], code: 2, stderr: [/^paradox: \/.*\/bomb\.yaml: YAML aliases expand too much \(more than 100 alias uses in one document/] },
  { name: 'a spec that is not UTF-8', args: ['run', 'latin1.yaml'], code: 2, stderr: [/^paradox: \/.*\/latin1\.yaml: not UTF-8 text: byte 0xE9 at line 10, column 10 \(byte offset \d+\); save the file as UTF-8\n$/] },
  { name: 'a spec file over 1 MiB', args: ['run', 'huge.yaml'], code: 2, stderr: [/^paradox: \/.*\/huge\.yaml: the file is \d+ bytes; a spec may have at most 1048576 bytes \(1 MiB\)\n$/] },
  { name: 'resume of a missing directory', args: ['resume', 'runs/nothing'], code: 2, stderr: `paradox: resume: runs/nothing: no such directory; expected a run directory (runs/<name>-<timestamp>)\n(see: paradox resume --help)\n` },
  { name: 'report of a non-run directory', args: ['report', 'taken'], code: 2, stderr: `paradox: report: taken: not a paradox run directory (no spec.json, summary.json or paradox-runs.json in it)\n(see: paradox report --help)\n` },
  { name: 'export without a format', args: ['export', 'taken'], code: 2, stderr: `paradox: export: --format is required: one of csv, json, parquet\n(see: paradox export --help)\n` },
  { name: 'export to an unknown format', args: ['export', 'taken', '--format', 'parqet'], code: 2, stderr: `paradox: export: --format must be one of csv, json, parquet, got 'parqet' (did you mean 'parquet'?)\n(see: paradox export --help)\n` },
  { name: 'worker without Redis', args: ['worker'], code: 2, stderr: `paradox: worker: a Redis URL is required: --redis URL or $PARADOX_REDIS_URL (e.g. redis://127.0.0.1:6379)\n(see: paradox worker --help)\n` },
  { name: 'worker with a bad URL', args: ['worker', '--redis', 'localhost:6379'], code: 2, stderr: `paradox: worker: --redis expects a URL like redis://127.0.0.1:6379, got 'localhost:6379'\n(see: paradox worker --help)\n` },
];

describe('bad invocations', () => {
  it.each(cases)('$name → exit $code', ({ args, code, stderr }) => {
    const r = paradox(args, { cwd: dir });
    if (typeof stderr === 'string') expect(r.stderr).toBe(stderr);
    else for (const re of stderr) expect(r.stderr).toMatch(re);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    // Usage and spec errors never print a stack trace.
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('writes nothing for a bad spec (no runs/ directory appears)', () => {
    for (const f of ['typos.yaml', 'missing-plugin.yaml', 'bomb.yaml']) {
      expect(paradox(['run', f], { cwd: dir }).code).toBe(2);
      expect(existsSync(join(dir, 'runs'))).toBe(false);
    }
  });

  it('never overwrites an existing run directory', () => {
    const r = paradox(['run', 'tiny.yaml', '--out', 'taken'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^paradox: --out taken: \/.*\/taken already exists and is not empty; paradox never overwrites a run directory \(choose a new --out\)\n$/);
    expect(readdirSync(join(dir, 'taken'))).toEqual(['keep.txt']);
  });

  it('with --json, reports the error as one JSON line on stdout and the message on stderr', () => {
    const r = paradox(['run', 'typos.yaml', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    const events = ndjson(r.stdout);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'error', code: 'E_SPEC', exitCode: 2 });
    expect(String(events[0]!.message)).toContain("did you mean 'experiment'?");
    expect(r.stderr).toContain('invalid sweep spec (3 problems)');
  });

  it('Redis down at start: exit 1 with a clear message, and no run directory is written', () => {
    const r = paradox(['run', 'tiny.yaml', '--backend', 'bullmq', '--redis', 'redis://:hunter2@127.0.0.1:1', '--out', 'no-redis'], { cwd: dir, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^paradox: .*cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1.*connection refused/);
    expect(r.stderr).not.toContain('hunter2');
    expect(existsSync(join(dir, 'no-redis'))).toBe(false);
    // The same for a multi-spec file (the demo), whose manifest would otherwise be written first.
    const d = paradox(['run', 'demo', '--backend', 'bullmq', '--redis', 'redis://127.0.0.1:1', '--out', 'no-redis-demo'], { cwd: dir, timeoutMs: 60_000 });
    expect(d.code).toBe(1);
    expect(existsSync(join(dir, 'no-redis-demo'))).toBe(false);
  });

  it('a malformed --redis value is never echoed with its credentials', () => {
    const r = paradox(['run', 'tiny.yaml', '--backend', 'bullmq', '--redis', 'htp//:hunter2@host:6379'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`paradox: run: --redis expects a URL like redis://127.0.0.1:6379, got '***@host:6379'\n(see: paradox run --help)\n`);
  });

  it('a runtime failure exits 1 with a message and no stack; --debug adds the stack', () => {
    // Nothing listens on port 1: the worker cannot connect to Redis.
    const r = paradox(['worker', '--redis', 'redis://127.0.0.1:1'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^paradox: .*127\.0\.0\.1:1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const d = paradox(['worker', '--redis', 'redis://127.0.0.1:1', '--debug'], { timeoutMs: 60_000 });
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/\n\s+at /);
  });
});

describe('help and version', () => {
  it('--version prints the version and which code runs: core-wasm build hash, Node, git commit', () => {
    const r = paradox(['--version']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const wasm = createHash('sha256').update(readFileSync(join(ROOT, 'packages/core-wasm/build/release.wasm'))).digest('hex');
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    expect(r.stdout).toMatch(new RegExp(`^paradox 0\\.0\\.0\ncore-wasm build sha256 ${wasm}\nnode ${process.version.replace(/\./g, '\\.')}\ngit commit ${head}(-dirty)?\n$`));
  });

  it.each(['run', 'resume', 'report', 'export', 'analyse', 'verify', 'stripes', 'worker', 'presets', 'demo', 'bench', 'explore'])('%s --help shows usage, options and examples', (cmd) => {
    const r = paradox([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^paradox ${cmd} — `));
    expect(r.stdout).toContain(`Usage: paradox ${cmd}`);
    expect(r.stdout).toContain('Options:');
    expect(r.stdout).toMatch(new RegExp(`Examples:\n {2}paradox ${cmd === 'demo' ? 'demo' : cmd}`));
  });

  it('presets lists every preset with a description', () => {
    const r = paradox(['presets']);
    expect(r.code).toBe(0);
    for (const p of PRESETS.split(', ')) expect(r.stdout).toMatch(new RegExp(`^ {2}${p} +\\S.{20,}$`, 'm'));
  });
});
