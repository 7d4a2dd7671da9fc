/**
 * `paradox demo` through the built binary, as a newcomer runs it: both experiments into one run
 * directory, and a headline that states both results with numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '@paradox/orchestrator';
import { beforeAll, describe, expect, it } from 'vitest';
import { paradox, parseCsv, specDir } from './cli-helpers.js';

let dir: string;
beforeAll(() => {
  dir = specDir();
});

describe('paradox demo', () => {
  it('runs both experiments and prints both results with numbers', () => {
    const r = paradox(['demo', '--out', 'first-look'], { cwd: dir, timeoutMs: 280_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Running demo\/instability: instability, \d+ cells, [\d,]+ trials/m);
    expect(r.stderr).toMatch(/^Running demo\/noncomputability: noncomputability, \d+ cells, [\d,]+ trials/m);

    const out = r.stdout;
    // Result I: one line per group of networks, each "N of M accurate networks were unstable at radius μ".
    expect(out).toContain('── demo/instability (instability) ──');
    expect(out).toMatch(/\nResult I, the instability dichotomy \(radius μ = [\d.e-]+…[\d.e-]+, m = 8…32 stripes\):\n/);
    const unstable = (label: string) => new RegExp(`\\n {2}${label.replace(/[()]/g, '\\$&')}:\\n {6}[\\d,]+ of [\\d,]+ accurate networks were unstable at radius μ \\(\\d+(\\.\\d)?%; 95% CI \\[\\d\\.\\d{3}, \\d\\.\\d{3}\\]\\)\\n`);
    expect(out).toMatch(unstable('Trained, fixed architecture, m − 1 > P(N) (F3 predicts all unstable)'));
    expect(out).toMatch(unstable('Trained, fixed architecture, m − 1 ≤ P(N) (F3 does not apply: observed)'));
    expect(out).toMatch(unstable('Trained, variable width (no prediction: observed)'));
    expect(out).toMatch(unstable('Constructed ψ_T (F2 predicts none unstable)'));
    expect(out).toMatch(/\n {2}Training reached zero training error in [\d,]+ of 900 trainings \(\d+(\.\d)?%\); [\d,]+ were also correct on every validation point\.\n/);
    expect(out).toMatch(/\n {2}Verdict: (Every one of the [\d,]+ accurate fixed-architecture networks with m − 1 > P\(N\) was unstable at radius μ, as F3 predicts\.|[\d,]+ of [\d,]+ accurate fixed-architecture networks)/);
    // Result II: the largest min(p⁺, p⁻) where the sign is hidden, per algorithm, and readBits 24 ≥ K + 1 beyond.
    expect(out).toContain('── demo/noncomputability (noncomputability) ──');
    expect(out).toContain('Result II, existence without computability:');
    expect(out).toContain('Reads hidden (readBits ≤ K, adversarial oracle), ε < ε_B = ');
    for (const alg of ['gd', 'adam', 'coin', 'hedge', 'exact-read']) {
      expect(out).toMatch(new RegExp(`\\n {4}${alg} +0\\.\\d{3} \\[0\\.\\d{3}, 0\\.\\d{3}\\] {2}at K=\\d+, readBits=(4|8), ε=0\\.\\d+`));
    }
    // exact-read tells the pair apart once it reads 24 > K bits and succeeds on both inputs.
    expect(out).toMatch(/\n {4}exact-read +1\.000 \[0\.99\d, 1\.000\] {2}at K=\d+, readBits=24, ε=[\d.]+ \(1,000 trials per sign\) {2}\(succeeds on both inputs\)\n/);
    expect(out).toMatch(/\n {2}At ε ≥ ε_B, reads still hidden: hedge reaches min\(p⁺, p⁻\) = 1\.000 \[0\.99\d, 1\.000\] \(K=\d+, readBits=\d+, ε=0\.5\): the jump at ε_B\.\n/);
    expect(out).toMatch(/\n {2}Verdict: Where the oracle hides the sign \(readBits ≤ K\) and ε < ε_B, no algorithm's interval lies above 1\/2 in \d+ checked rows .* as Theorem H predicts\. Reading more than K bits lifts the barrier: exact-read reaches 1\.000/);
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
