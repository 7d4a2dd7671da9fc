/**
 * `paradox demo` through the built binary, as a newcomer runs it: both experiments into one run
 * directory, and a headline that states both results with numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '@paradox/orchestrator';
import { beforeAll, describe, expect, it } from 'vitest';
import { paradox, parseCsv, requireBuilt, scratch } from './cli-helpers.js';

let dir: string;
beforeAll(() => {
  requireBuilt();
  dir = scratch();
});

describe('paradox demo', () => {
  it('runs both experiments and prints both results with numbers', () => {
    const r = paradox(['demo', '--out', 'first-look'], { cwd: dir, timeoutMs: 280_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Running demo\/instability: instability, \d+ cells, [\d,]+ trials/m);
    expect(r.stderr).toMatch(/^Running demo\/noncomputability: noncomputability, \d+ cells, [\d,]+ trials/m);

    const out = r.stdout;
    // Result I: the dichotomy with shares and intervals for both kinds of network.
    expect(out).toContain('── demo/instability (instability) ──');
    expect(out).toContain('Result I, the instability dichotomy:');
    expect(out).toMatch(/ {4}fixed architecture, trained: (\d+% \([\d,]+ of [\d,]+ accurate; 95% CI \[\d\.\d{3}, \d\.\d{3}\]\)|no accurate networks among [\d,]+ trials)\n/);
    expect(out).toMatch(/ {4}variable width: {14}\d+% \([\d,]+ of [\d,]+ accurate; 95% CI \[\d\.\d{3}, \d\.\d{3}\]\)\n/);
    // Result II: worst-case success below ε_B per algorithm, with intervals, at most 1/2.
    expect(out).toContain('── demo/noncomputability (noncomputability) ──');
    expect(out).toContain('Result II, existence without computability:');
    for (const alg of ['gd', 'adam', 'coin', 'hedge', 'exact-read']) {
      expect(out).toMatch(new RegExp(`\\n {4}${alg} +0\\.\\d{3} \\[0\\.\\d{3}, 0\\.\\d{3}\\] {2}worst at K=\\d+, readBits=\\d+, ε=0\\.\\d+`));
    }
    expect(out).toContain('Every algorithm stays at or below 1/2 within its interval, as the theorem predicts.');
    expect(out).toMatch(/\n {2}At ε ≥ ε_B the barrier is gone: hedge reaches min\(p⁺, p⁻\) = 1\.000 \[0\.99\d, 1\.000\] on its worst pair \(ε=0\.5\)\.\n/);
    expect(out).toMatch(/\nSummary: first-look\/noncomputability\/summary\.json and summary\.csv\n/);
    // One HTML report for both parts, from @paradox/viz, named last.
    expect(out.trimEnd().split('\n').at(-1)).toBe('Report (all parts): first-look/report.html');
    expect(existsSync(join(dir, 'first-look', 'report.html'))).toBe(true);

    // One run directory, one subdirectory per experiment, tied by the manifest.
    const root = join(dir, 'first-look');
    expect(existsSync(join(root, 'paradox-runs.json'))).toBe(true);
    for (const sub of ['instability', 'noncomputability']) {
      const s = JSON.parse(readFileSync(join(root, sub, 'summary.json'), 'utf8')) as Summary;
      expect(s.run.complete).toBe(true);
      expect(s.run.experiment).toBe(sub);
    }
  });

  it('exports both sub-runs into one table', () => {
    const r = paradox(['export', 'first-look', '--format', 'csv', '--out', 'demo.csv'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(readFileSync(join(dir, 'demo.csv'), 'utf8'));
    const run = rows[0]!.indexOf('run');
    const runs = new Set(rows.slice(1).map((row) => row[run]));
    expect([...runs].sort()).toEqual(['demo/instability', 'demo/noncomputability']);
  });
});
