/**
 * The built `paradox` binary end to end on a small spec: run with NDJSON events, Ctrl-C (SIGINT)
 * mid-run, resume, and the summary equals an uninterrupted run's byte for byte; then report and
 * export in all three formats, read back.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NoncomputabilityCell, Summary } from '@paradox/orchestrator';
import { parquetReadObjects } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import { ndjson, paradox, paradoxAsync, parseCsv, slowSpec, specDir, waitForOutput } from './cli-helpers.js';

// Slow enough (≈ 60 batches of 20 gradient-descent trials) that SIGINT lands mid-run.
const SPEC = slowSpec({ name: 'small', seed: 11, epsilons: [0.1, 0.45, 0.5], trials: 300 });

let dir: string;
beforeAll(() => {
  dir = specDir({ 'small.yaml': SPEC });
});

const summaryText = (run: string): string => readFileSync(join(dir, run, 'summary.json'), 'utf8');

describe('run, interrupt, resume', () => {
  it('SIGINT stops cleanly (exit 130, resumable), resume finishes it, and the summary equals an uninterrupted run', async () => {
    const p = paradoxAsync(['run', 'small.yaml', '--out', 'interrupted', '--json', '--workers', '2'], { cwd: dir });
    // Interrupt as soon as the first batch is stored.
    await waitForOutput(p, (o) => o.stdout.includes('"type":"batch-done"'), 'it could be interrupted');
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    const events = ndjson(r.stdout); // every stdout line is a JSON object
    const done = events.find((e) => e.type === 'run-done');
    expect(done).toMatchObject({ status: 'cancelled' });
    const head = events.at(-1)!;
    expect(head).toMatchObject({ type: 'headline', complete: false });
    const partial = JSON.parse(summaryText('interrupted')) as Summary;
    expect(partial.run.complete).toBe(false);
    expect(partial.run.trialsDone).toBeLessThan(4 * 300);

    // Exporting the partial run warns, and the unfinished cells' rows say complete = false.
    const pe = paradox(['export', 'interrupted', '--format', 'csv', '--out', 'partial.csv'], { cwd: dir });
    expect(pe.code, pe.stderr).toBe(0);
    expect(pe.stderr).toBe(`warning: small is incomplete (${partial.run.cellsComplete} of 4 cells finished): its other rows have complete = false; finish it with: paradox resume interrupted\n`);
    const pRows = parseCsv(readFileSync(join(dir, 'partial.csv'), 'utf8'));
    const ci = pRows[0]!.indexOf('complete');
    const cellCol = pRows[0]!.indexOf('cell');
    for (const r of pRows.slice(1)) expect(r[ci]).toBe(String(partial.cells[Number(r[cellCol])]!.complete));
    expect(pRows.slice(1).some((r) => r[ci] === 'false')).toBe(true);

    const resumed = paradox(['resume', 'interrupted'], { cwd: dir });
    expect(resumed.stderr).toMatch(/Resuming small \(\d+ trials already done\)/);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('── small (noncomputability) ──');

    const fresh = paradox(['run', 'small.yaml', '--out', 'straight', '--workers', '1'], { cwd: dir });
    expect(fresh.code).toBe(0);
    expect(summaryText('interrupted')).toBe(summaryText('straight'));
    const s = JSON.parse(summaryText('straight')) as Summary;
    expect(s.run.complete).toBe(true);
    expect(s.run.trialsDone).toBe(4 * 300);
  });

  it('prints plain progress and the headline when not on a terminal', () => {
    const r = paradox(['run', 'small.yaml', '--out', 'plain', '--trials', '40'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Running small: noncomputability, 4 cells, 160 trials, local backend with \d+ workers → plain\n/);
    expect(r.stderr).toMatch(/\nFinished small: 160 trials in [\d.]+ s \([\d,.]+ trials\/s\)\.\n$/);
    expect(r.stderr).not.toContain('\x1b');
    const s = JSON.parse(summaryText('plain')) as Summary;
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('── small (noncomputability) ──');
    expect(lines[1]).toBe('Result II, existence without computability:');
    // The numbers in the headline are the summary's numbers: gd's largest min(p̂⁺, p̂⁻) where the
    // sign is hidden (readBits 4 ≤ K 8) and ε < ε_B.
    const largestGd = (s.cells as NoncomputabilityCell[])
      .filter((c) => c.algorithm === 'gd' && c.readBits <= c.K)
      .flatMap((c) => c.eps.filter((e) => e.belowBreakdown).map((e) => e.min.p))
      .reduce((a, b) => Math.max(a, b));
    expect(s.headline!.noncomputability!.algorithms.find((a) => a.algorithm === 'gd')!.hidden!.p).toBe(largestGd);
    expect(r.stdout).toMatch(new RegExp(`\\n {4}gd {4}${largestGd.toFixed(3)} \\[0\\.\\d{3}, 0\\.\\d{3}\\] {2}at K=8, readBits=4, ε=[\\d.]+ \\(40 trials per sign\\)\\n`));
    expect(r.stdout).toMatch(/\nSummary: plain\/summary\.json and summary\.csv|\nReport: plain\/report\.html/);
  });
});

describe('multi-spec files', () => {
  it('runs each document into its own subdirectory, and resume after SIGINT also starts the parts not yet begun', async () => {
    const second = SPEC.replace('name: small', 'name: second').replace('algorithm: [gd, adam]', 'algorithm: [coin, exact-read]').replace('trials: 300', 'trials: 50');
    writeFileSync(join(dir, 'two.yaml'), `description: two parts\n${SPEC}---\n${second}`);
    const p = paradoxAsync(['run', 'two.yaml', '--out', 'two', '--json'], { cwd: dir });
    await waitForOutput(p, (o) => o.stdout.includes('"type":"batch-done"'), 'it could be interrupted');
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    const events = ndjson(r.stdout);
    expect(events.every((e) => e.type === 'headline' || e.run === 'two/small')).toBe(true);
    expect(existsSync(join(dir, 'two', 'second'))).toBe(false);
    // Exporting the unfinished run works but says what is missing.
    const early = paradox(['export', 'two', '--format', 'csv', '--out', 'early.csv'], { cwd: dir });
    expect(early.code, early.stderr).toBe(0);
    expect(early.stderr).toMatch(
      /^warning: two is a multi-part run that is not finished \(small \(incomplete\), second \(not started\)\); the export holds only the finished work\. Finish it with: (npx )?paradox resume two$/m,
    );

    const resumed = paradox(['resume', 'two', '--json'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const heads = ndjson(resumed.stdout).filter((e) => e.type === 'headline');
    expect(heads.map((h) => [h.run, h.complete])).toEqual([
      ['two/small', true],
      ['two/second', true],
    ]);
    // Each part equals the same spec run on its own.
    if (!existsSync(join(dir, 'straight'))) expect(paradox(['run', 'small.yaml', '--out', 'straight'], { cwd: dir }).code).toBe(0);
    expect(summaryText('two/small')).toBe(summaryText('straight'));
    writeFileSync(join(dir, 'second.yaml'), second);
    expect(paradox(['run', 'second.yaml', '--out', 'second-alone'], { cwd: dir }).code).toBe(0);
    expect(summaryText('two/second')).toBe(summaryText('second-alone'));
  });
});

describe('spec files', () => {
  it('names a nameless spec after its file and finds a plugin module next to the spec, whatever the working directory', () => {
    mkdirSync(join(dir, 'lab'), { recursive: true });
    // A user algorithm (the published Algorithm interface): always outputs the zero network.
    writeFileSync(
      join(dir, 'lab', 'zero.mjs'),
      'export default { name: "zero", run(ctx) { ctx.read(Math.min(ctx.budget, 8)); return { network: { w: new Float64Array(ctx.width * ctx.d), v: new Float64Array(ctx.width) }, steps: 0 }; } };\n',
    );
    writeFileSync(
      join(dir, 'lab', 'my-plugin.yaml'),
      'experiment: noncomputability\nseed: 2\ngrid:\n  algorithm: [plugin]\n  K: [8]\n  readBits: [4]\nfixed:\n  plugin: ./zero.mjs\n  epsilons: [0.1, 0.5]\ntrials: 20\n',
    );
    const r = paradox(['run', 'lab/my-plugin.yaml', '--out', 'plugin-run'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('── my-plugin (noncomputability) ──');
    // The zero network is at distance s* ≈ 0.96 from both minimisers: it fails at every ε < s*, on
    // both sides of ε_B ≈ 0.48, so the headline has no "jump at ε_B".
    expect(r.stdout).toMatch(/\n {4}plugin {2}0\.000 \[0\.000, 0\.\d{3}\] {2}at K=8, readBits=4, ε=0\.1 /);
    expect(r.stdout).toContain('no algorithm here jumps above 1/2');
    expect(r.stdout).not.toContain('the jump at ε_B');
  });
});

describe('report and export', () => {
  it('report prints the headline of an existing run', () => {
    const r = paradox(['report', 'straight'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n {2}Verdict: Where the oracle hides the sign \(readBits ≤ K\) and ε < ε_B, no algorithm's interval lies above 1\/2 in \d+ checked rows .*, as Theorem H predicts\./);
  });

  it('exports csv, json and parquet that read back to the summary', async () => {
    const s = JSON.parse(summaryText('straight')) as Summary;
    const cells = s.cells as NoncomputabilityCell[];
    const expected = cells.flatMap((c, i) => c.eps.map((e) => ({ cell: i, algorithm: c.algorithm, readBits: c.readBits, eps: e.eps, plusK: e.plus.k, minP: e.min.p, minLo: e.min.ci[0] })));

    for (const format of ['csv', 'json', 'parquet']) {
      const r = paradox(['export', 'straight', '--format', format], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Wrote 12 rows × \\d+ columns to straight/results\\.${format}\\n$`));
    }

    const json = JSON.parse(readFileSync(join(dir, 'straight/results.json'), 'utf8')) as Array<Record<string, unknown>>;
    const buf = readFileSync(join(dir, 'straight/results.parquet'));
    const pq = await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) });
    const csvRows = parseCsv(readFileSync(join(dir, 'straight/results.csv'), 'utf8'));
    const header = csvRows[0]!;
    const col = (row: string[], name: string): string => row[header.indexOf(name)]!;

    expect(json).toHaveLength(expected.length);
    expect(pq).toHaveLength(expected.length);
    expect(csvRows).toHaveLength(expected.length + 1);
    expected.forEach((e, i) => {
      // Parquet INT64 columns read back as BigInt.
      for (const row of [json[i]!, { ...pq[i]!, cell: Number(pq[i]!.cell), readBits: Number(pq[i]!.readBits), 'plus.k': Number(pq[i]!['plus.k']) }]) {
        expect(row).toMatchObject({ run: 'small', cell: e.cell, complete: true, algorithm: e.algorithm, readBits: e.readBits, eps: e.eps, 'plus.k': e.plusK, 'min.p': e.minP, 'min.ci.lo': e.minLo });
      }
      expect(col(csvRows[i + 1]!, 'algorithm')).toBe(e.algorithm);
      expect(Number(col(csvRows[i + 1]!, 'eps'))).toBe(e.eps);
      expect(Number(col(csvRows[i + 1]!, 'min.p'))).toBe(e.minP);
    });

    // Per-trial rows: every counted trial, and their mean distance is the summary's mean.
    const t = paradox(['export', 'straight', '--format', 'parquet', '--rows', 'trials'], { cwd: dir });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^Wrote 1200 rows × \d+ columns to straight\/trials\.parquet\n$/);
    const tb = readFileSync(join(dir, 'straight/trials.parquet'));
    const trials = await parquetReadObjects({ file: tb.buffer.slice(tb.byteOffset, tb.byteOffset + tb.byteLength) });
    expect(trials).toHaveLength(1200);
    cells.forEach((c, i) => {
      const rows = trials.filter((r) => r.cell === BigInt(i));
      expect(rows.map((r) => r.trial)).toEqual(Array.from({ length: 300 }, (_, k) => BigInt(k)));
      expect(rows[0]).toMatchObject({ algorithm: c.algorithm, readBits: BigInt(c.readBits), complete: true });
      const mean = rows.reduce((a, r) => a + (r['dist+'] as number), 0) / rows.length;
      expect(mean).toBeCloseTo(c.dist.plus.mean, 10);
    });

    // An existing export is not overwritten without --force; with it, it is replaced.
    writeFileSync(join(dir, 'straight/results.csv'), 'old\n');
    const again = paradox(['export', 'straight', '--format', 'csv'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('paradox: export: straight/results.csv already exists; add --force to replace it, or choose another --out\n(see: paradox export --help)\n');
    expect(readFileSync(join(dir, 'straight/results.csv'), 'utf8')).toBe('old\n');
    const forced = paradox(['export', 'straight', '--format', 'csv', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toBe('');
    expect(readFileSync(join(dir, 'straight/results.csv'), 'utf8')).toBe(readFileSync(join(dir, 'straight/summary.csv'), 'utf8'));

    // A path that cannot be written: the path and the cause, exit 1, nothing left behind.
    const bad = paradox(['export', 'straight', '--format', 'parquet', '--out', 'straight/summary.json/x.parquet'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('paradox: export: cannot write straight/summary.json/x.parquet: a part of the path is not a directory (ENOTDIR)\n');
  });
});

describe('explore', () => {
  it('serves the explorer page on localhost until Ctrl-C', async () => {
    const p = paradoxAsync(['explore'], { cwd: dir });
    const url = await waitForOutput(p, (o) => /Explorer at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(o.stdout)?.[1], 'serving the explorer');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/^<!doctype html>/i);
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(0);
  });
});
