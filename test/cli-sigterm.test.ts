/**
 * SIGTERM means "stop now, resumable": `timeout`, `kill` and job schedulers send it and then wait
 * only briefly. The CLI abandons the batches in flight — even one stuck in a plugin that loops
 * forever — writes the summary and exits 143; a resume then finishes the run identically.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '@paradox/orchestrator';
import { ndjson, paradox, paradoxAsync, slowSpec, specDir, waitForOutput } from './cli-helpers.js';

const SPEC = slowSpec({ name: 'termed', seed: 17, epsilons: [0.1, 0.5], trials: 100 });

// Every trial of this plugin loops forever; with no batchTimeout and no timed batch the deadline
// is 10 minutes away, so only SIGTERM can end the run in time.
const LOOPING = `name: looping
experiment: noncomputability
seed: 1
grid:
  K: [6]
fixed:
  algorithm: plugin
  plugin: ./loops.mjs
  readBits: 4
trials: 100
`;

let dir: string;
beforeAll(() => {
  dir = specDir(
    { 'termed.yaml': SPEC, 'looping.yaml': LOOPING, 'loops.mjs': 'export default { name: "loops", run() { for (;;); } };\n' },
    'paradox-sigterm-',
  );
});

/** Starts `paradox ARGS --json` and resolves once `pred` holds for its stdout. */
async function startUntil(args: string[], pred: (stdout: string) => boolean) {
  const p = paradoxAsync([...args, '--json'], { cwd: dir });
  await waitForOutput(p, (o) => pred(o.stdout), 'the signal');
  return p;
}

describe('SIGTERM', () => {
  it('stops a run whose batches hang in a looping plugin: exit 143, summary written, resumable', async () => {
    const p = await startUntil(['run', 'looping.yaml', '--out', 'looping', '--workers', '1'], (out) => out.includes('"type":"cell-started"'));
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code, r.stderr).toBe(143);
    const events = ndjson(r.stdout);
    expect(events.find((e) => e.type === 'run-done')).toMatchObject({ status: 'cancelled' });
    const summary = JSON.parse(readFileSync(join(dir, 'looping', 'summary.json'), 'utf8')) as Summary;
    expect(summary.run.complete).toBe(false);
    expect(summary.run.trialsDone).toBe(0);
  });

  it('mid-run: exit 143 without the report, and resume finishes byte-identical to an uninterrupted run', async () => {
    const p = await startUntil(['run', 'termed.yaml', '--out', 'termed', '--workers', '2'], (out) => out.includes('"type":"batch-done"'));
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code, r.stderr).toBe(143);
    expect(ndjson(r.stdout).find((e) => e.type === 'notice')).toMatchObject({ message: 'Stopping now (SIGTERM): batches in flight are abandoned; the run stays resumable.' });
    const resumed = paradox(['resume', 'termed', '--workers', '2'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const straight = paradox(['run', 'termed.yaml', '--out', 'straight', '--workers', '2'], { cwd: dir });
    expect(straight.code, straight.stderr).toBe(0);
    expect(readFileSync(join(dir, 'termed', 'summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'straight', 'summary.json'), 'utf8'));
  });
});
