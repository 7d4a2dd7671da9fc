/**
 * `paradox resume` starts its local worker pool before the run directory is loaded, sized as the
 * run will be (so the run adopts it), and finishes an interrupted run byte-identical to an
 * uninterrupted one.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '@paradox/orchestrator';
import { writeManifest } from '@paradox/orchestrator/run-dir';
import { prestartLocalPool, releasePrestartedPool } from '@paradox/orchestrator/local';
import { describe, expect, it, vi } from 'vitest';
import { resumePoolWorkers } from '../src/commands/resume.js';
import { main } from '../src/main.js';

// The real pool functions, watched: which pool `paradox resume` starts early.
vi.mock('@paradox/orchestrator/local', async (importOriginal) => {
  const real = await importOriginal<typeof import('@paradox/orchestrator/local')>();
  return { ...real, prestartLocalPool: vi.fn(real.prestartLocalPool) };
});

const SPEC = {
  name: 'small',
  experiment: 'noncomputability',
  seed: 20240601,
  grid: { algorithm: ['coin', 'gd'], K: [4, 10] },
  zip: { readBits: [3, 16] },
  fixed: { steps: 20, samples: 4 },
  trials: 40,
};

function runDirWith(spec: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'paradox-resume-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  return dir;
}

describe('resumePoolWorkers', () => {
  it('reads the thread count the resume will use: --workers, else the stored spec, else auto', () => {
    const three = runDirWith({ ...SPEC, backend: 'local', workers: 3 });
    expect(resumePoolWorkers(three, {})).toBe(3);
    expect(resumePoolWorkers(three, { workers: 2 })).toBe(2);
    expect(resumePoolWorkers(three, { workers: 'auto' })).toBe('auto');
    expect(resumePoolWorkers(runDirWith({ ...SPEC, workers: 'auto' }), {})).toBe('auto');
    expect(resumePoolWorkers(runDirWith(SPEC), {})).toBe('auto');
  });

  it('none for a bullmq resume (the stored backend or --backend), one for --backend local', () => {
    const bull = runDirWith({ ...SPEC, backend: 'bullmq', workers: 3 });
    expect(resumePoolWorkers(bull, {})).toBeUndefined();
    expect(resumePoolWorkers(bull, { backend: 'local' })).toBe(3);
    expect(resumePoolWorkers(runDirWith({ ...SPEC, workers: 2 }), { backend: 'bullmq' })).toBeUndefined();
  });

  it("a multi-part run: its first part's spec from the manifest; an unreadable spec.json: auto", () => {
    const top = mkdtempSync(join(tmpdir(), 'paradox-resume-'));
    writeManifest(top, {
      format: 'paradox-runs/1',
      source: 'two',
      runs: [
        { name: 'one', subdir: 'one', spec: { ...SPEC, workers: 3 } },
        { name: 'two', subdir: 'two', spec: { ...SPEC, backend: 'bullmq' } },
      ],
    });
    expect(resumePoolWorkers(top, {})).toBe(3);
    const bad = mkdtempSync(join(tmpdir(), 'paradox-resume-'));
    writeFileSync(join(bad, 'spec.json'), '[1, 2');
    expect(resumePoolWorkers(bad, {})).toBe('auto');
    writeFileSync(join(bad, 'spec.json'), '[1, 2]');
    expect(resumePoolWorkers(bad, { workers: 4 })).toBe(4);
  });
});

describe('paradox resume (in process)', () => {
  it('prestarts a pool of the run’s thread count, which the run adopts; the result equals an uninterrupted run', async () => {
    const base = mkdtempSync(join(tmpdir(), 'paradox-resume-'));
    const ref = await runSweep({ ...SPEC, workers: 2 }, { outDir: join(base, 'ref'), batch: 4 });
    expect(ref.status).toBe('complete');
    const ac = new AbortController();
    let batches = 0;
    const dir = join(base, 'cut');
    const cut = await runSweep({ ...SPEC, workers: 2 }, { outDir: dir, batch: 4, signal: ac.signal, onEvent: (e) => e.type === 'batch-done' && ++batches === 3 && ac.abort() });
    expect(cut.status).toBe('cancelled');
    // The stored spec says 2 threads: the pool is started with 2 before the run is loaded.
    expect(resumePoolWorkers(dir, {})).toBe(2);
    vi.mocked(prestartLocalPool).mockClear();
    let out = '';
    const code = await main(['resume', dir, '--json'], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined }, cwd: base, debug: false });
    expect(code).toBe(0);
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; workers?: number; resumed?: boolean });
    const started = events.find((e) => e.type === 'run-started');
    // The run's thread count is the prestarted pool's, so the local backend adopted it (a pool of
    // another count is destroyed instead); either way nothing is left running afterwards.
    expect(vi.mocked(prestartLocalPool).mock.calls).toEqual([[2]]);
    expect(started).toMatchObject({ resumed: true, workers: 2 });
    expect(await releasePrestartedPool()).toBe(false);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe(readFileSync(join(ref.dir, 'summary.json'), 'utf8'));
  });
});
