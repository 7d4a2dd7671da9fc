/**
 * A Redis password never leaves the places the user put it: planted in a multi-document spec's
 * `redis:` key, in $PARADOX_REDIS_URL for the worker and in a --redis-password-file, it appears in
 * no byte of any file under the run directories (manifest, spec.json, run.sqlite, summaries,
 * report.html, exports), in no output of run, resume, report, export or worker, and not in the
 * worker's command line (what `ps` shows).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../packages/orchestrator/test/helpers/redis.js';
import { paradox, paradoxAsync, specDir, waitForOutput, type Result } from './cli-helpers.js';

/** Every character a URL makes hard: @ (more than once), :, / and %. */
const PASSWORD = 'Pa@ss:w/o%rd@-77';
/** What must not appear anywhere: the password, its URL encoding, and a tail a half-redaction would leave. */
const FORMS = [PASSWORD, encodeURIComponent(PASSWORD), 'rd@-77', 'rd%40-77'];

const doc = (name: string, url: string): string => `name: ${name}
experiment: noncomputability
seed: 5
grid:
  algorithm: [coin]
  K: [6]
  readBits: [4]
trials: 40
batch: 20
backend: bullmq
redis: "${url}"
`;

let dir: string;
let redis: RedisServer;
beforeAll(async () => {
  dir = specDir({}, 'paradox-secrets-');
  redis = await startRedis({ password: PASSWORD, persistent: false });
});
afterAll(async () => {
  await redis?.dispose();
});

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('a planted Redis password', () => {
  it('appears in no file of the run, no output of the CLI or the worker, and not in the worker\'s command line', async () => {
    const bare = `redis://127.0.0.1:${redis.port}`;
    expect(redis.url).toContain(encodeURIComponent(PASSWORD));
    writeFileSync(join(dir, 'multi.yaml'), `${doc('first', redis.url)}---\n${doc('second', redis.url)}`);
    writeFileSync(join(dir, 'one.yaml'), doc('one', bare));
    writeFileSync(join(dir, 'pw.txt'), `${PASSWORD}\n`);

    const worker = paradoxAsync(['worker', '--concurrency', '1'], { cwd: dir, env: { PARADOX_REDIS_URL: redis.url } });
    await waitForOutput(worker, (o) => /^Worker \S+ ready/m.test(o.stderr), 'the worker was ready');
    const cmdline = readFileSync(`/proc/${worker.child.pid}/cmdline`, 'utf8');

    const outputs: Array<[string, Result]> = [];
    const cli = (args: string[]): Result => {
      const r = paradox(args, { cwd: dir });
      outputs.push([args.join(' '), r]);
      return r;
    };
    expect(cli(['run', 'multi.yaml', '--out', 'multi']).code).toBe(0);
    expect(cli(['run', 'one.yaml', '--redis-password-file', 'pw.txt', '--out', 'one', '--json']).code).toBe(0);
    expect(cli(['resume', 'multi']).code).toBe(0);
    expect(cli(['report', 'multi']).code).toBe(0);
    expect(cli(['export', 'multi', '--format', 'csv', '--rows', 'trials']).code).toBe(0);
    // A wrong password's error message must not print the right one either (nor the wrong one).
    const wrong = cli(['run', 'one.yaml', '--redis', `redis://:${encodeURIComponent(`x${PASSWORD}`)}@127.0.0.1:${redis.port}`, '--out', 'never']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/rejected the credentials/);

    worker.child.kill('SIGTERM');
    const w = await worker.done;
    outputs.push(['worker', w]);

    expect(existsSync(join(dir, 'multi', 'paradox-runs.json'))).toBe(true);
    expect(existsSync(join(dir, 'multi', 'report.html'))).toBe(true);
    const files = [...filesUnder(join(dir, 'multi')), ...filesUnder(join(dir, 'one'))];
    expect(files.some((f) => f.endsWith('run.sqlite'))).toBe(true);
    for (const form of FORMS) {
      const needle = Buffer.from(form);
      for (const f of files) expect(readFileSync(f).includes(needle), `${f} contains ${form}`).toBe(false);
      for (const [what, r] of outputs) {
        expect(r.stdout.includes(form), `stdout of ${what} contains ${form}`).toBe(false);
        expect(r.stderr.includes(form), `stderr of ${what} contains ${form}`).toBe(false);
      }
      expect(cmdline.includes(form)).toBe(false);
    }
    // The stored copies still say where Redis is.
    expect(readFileSync(join(dir, 'multi', 'paradox-runs.json'), 'utf8')).toContain(`redis://:***@127.0.0.1:${redis.port}`);
    expect(readFileSync(join(dir, 'multi', 'first', 'spec.json'), 'utf8')).toContain(`redis://:***@127.0.0.1:${redis.port}`);
  });
});
