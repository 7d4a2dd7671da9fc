import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS, helpText, intOption, parseCommandArgs, type CommandSpec } from '../src/args.js';
import { UsageError } from '../src/errors.js';
import { loadCommands, mainHelp } from '../src/main.js';

const SPEC: CommandSpec = {
  name: 'run',
  summary: 'run a sweep',
  positionals: [{ name: 'SPEC', required: true, description: 'spec file' }],
  options: {
    out: { type: 'string', short: 'o', value: 'DIR', description: 'run directory' },
    workers: { type: 'string', short: 'w', value: 'N', description: 'threads' },
    json: { type: 'boolean', description: 'NDJSON events' },
  },
  examples: ['paradox run demo'],
};

const word = fc.stringMatching(/^[a-z][a-z0-9._/]{0,11}$/);

describe('parseCommandArgs', () => {
  it('reads back what was written, in any order and in --flag value, --flag=value or -f value form', () => {
    fc.assert(
      fc.property(
        word,
        fc.option(word, { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
        fc.boolean(),
        fc.constantFrom('space', 'equals', 'short'),
        fc.infiniteStream(fc.nat()),
        (spec, out, workers, json, style, order) => {
          const parts: string[][] = [[spec]];
          const flag = (long: string, short: string, v: string): string[] => (style === 'equals' ? [`--${long}=${v}`] : style === 'short' ? [`-${short}`, v] : [`--${long}`, v]);
          if (out !== undefined) parts.push(flag('out', 'o', out));
          if (workers !== undefined) parts.push(flag('workers', 'w', String(workers)));
          if (json) parts.push(['--json']);
          // Shuffle the groups (each flag stays with its value).
          const it = order[Symbol.iterator]();
          for (let i = parts.length - 1; i > 0; i--) {
            const j = it.next().value! % (i + 1);
            [parts[i], parts[j]] = [parts[j]!, parts[i]!];
          }
          const r = parseCommandArgs(SPEC, parts.flat());
          expect(r.positionals).toEqual([spec]);
          expect(r.values.out).toBe(out);
          expect(r.values.workers).toBe(workers === undefined ? undefined : String(workers));
          expect(r.values.json).toBe(json ? true : undefined);
        },
      ),
    );
  });

  it('rejects every unknown long flag with a usage error (exit 2) that names it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z-]{1,12}$/), (name) => {
        fc.pre(!['out', 'workers', 'json', 'help', 'version', 'debug'].includes(name));
        let err: unknown;
        try {
          parseCommandArgs(SPEC, ['x', `--${name}`]);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(UsageError);
        expect((err as UsageError).exitCode).toBe(2);
        expect((err as UsageError).message).toContain(`unknown option --${name}`);
      }),
    );
  });

  it('keeps arguments after -- as positionals even when they look like flags', () => {
    expect(parseCommandArgs(SPEC, ['--', '--weird-name.yaml']).positionals).toEqual(['--weird-name.yaml']);
  });

  it('lets --help through without the required argument', () => {
    expect(parseCommandArgs(SPEC, ['--help']).values.help).toBe(true);
    expect(() => parseCommandArgs(SPEC, [])).toThrow(/missing SPEC/);
  });

  it('lists every option and example in the help text', () => {
    const text = helpText(SPEC);
    for (const f of ['-o, --out DIR', '-w, --workers N', '--json', '-h, --help', '--debug']) expect(text).toContain(f);
    expect(text).toContain('Examples:\n  paradox run demo');
  });

  it('a flag as wide as the column or wider gets its own line: it never runs into its description', () => {
    const text = helpText({ ...SPEC, options: { 'exact-radius': { type: 'string', value: 'TOL', description: 'exact radius' } } });
    expect(text).toContain(`      --exact-radius TOL\n${' '.repeat(24)}exact radius`);
  });

  it("every command's help (and the top-level help) keeps two spaces or a line break between each flag and its text", async () => {
    const helps = [...(await loadCommands()).map((c) => ({ text: helpText(c.spec), options: { ...c.spec.options, ...GLOBAL_OPTIONS } })), { text: mainHelp(), options: GLOBAL_OPTIONS }];
    for (const { text, options } of helps) {
      for (const name of Object.keys(options)) expect(text, text.split('\n')[0]).toMatch(new RegExp(`--${name}( [A-Z][A-Z0-9_,.]*)?( {2,}|\\n)`));
    }
  });
});

describe('intOption', () => {
  it('accepts exactly the integers in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 2000 }), (n) => {
        const ok = n >= 1 && n <= 1024;
        if (ok) expect(intOption('run', 'workers', String(n), 1, 1024)).toBe(n);
        else expect(() => intOption('run', 'workers', String(n), 1, 1024)).toThrow(UsageError);
      }),
    );
    for (const bad of ['1.5', 'four', '', '0x10', '1e3']) expect(() => intOption('run', 'workers', bad, 1, 1024)).toThrow(/expects an integer from 1 to 1024/);
  });
});
