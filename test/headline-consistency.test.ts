/**
 * One definition of every headline number: a small sweep (both experiments) run through the built
 * binary, then the CLI screen, the `--json` headline events, summary.json's `headline` and the
 * report's cards must carry the same numbers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeadlineData, Summary } from '@paradox/orchestrator';
import { sharePercent } from '@paradox/orchestrator/summary';
import { beforeAll, describe, expect, it } from 'vitest';
import { ndjson, paradox, requireBuilt, scratch } from './cli-helpers.js';

const SPEC = `name: nc
experiment: noncomputability
seed: 5
grid:
  algorithm: [coin, exact-read, hedge]
  K: [8]
  readBits: [4, 12]
fixed:
  epsilons: [0.1, 0.45, 0.5]
trials: 200
---
name: inst
experiment: instability
seed: 5
grid:
  m: [8]
zip:
  method: [train, construct-stable]
  hidden: [[4], [4]]
fixed:
  d: 2
  r: 32
  s: 16
  epochs: 150
trials: 6
`;

let dir: string;
let screen: string;
beforeAll(() => {
  requireBuilt();
  dir = scratch();
  writeFileSync(join(dir, 'both.yaml'), SPEC);
  const r = paradox(['run', 'both.yaml', '--out', 'c'], { cwd: dir, timeoutMs: 280_000 });
  expect(r.code, r.stderr).toBe(0);
  screen = r.stdout;
}, 300_000);

const f3 = (x: number): string => x.toFixed(3);
const iv = (ci: [number, number]): string => `[${f3(ci[0])}, ${f3(ci[1])}]`;

describe('the same headline numbers everywhere', () => {
  it('summary.json, --json events, the CLI screen and the report cards agree', () => {
    const events = ndjson(paradox(['report', 'c', '--json'], { cwd: dir }).stdout).filter((e) => e.type === 'headline');
    expect(events.map((e) => e.run)).toEqual(['both/nc', 'both/inst']);
    // The page as text (entities decoded), so sentences compare as written.
    const html = readFileSync(join(dir, 'c', 'report.html'), 'utf8')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
    for (const [sub, event] of [['nc', events[0]!], ['inst', events[1]!]] as const) {
      const summary = JSON.parse(readFileSync(join(dir, 'c', sub, 'summary.json'), 'utf8')) as Summary;
      const stored = summary.headline!;
      expect(stored).toBeDefined();
      const { type: _t, run: _r, dir: _d, report: _p, reportUnavailable: _u, ...fromJson } = event;
      expect(fromJson).toEqual(stored);
      check(stored, html);
    }
  });
});

function check(h: HeadlineData, html: string): void {
  const n = h.noncomputability;
  if (n) {
    expect(n.hidden).toBeDefined();
    const w = Math.max(...n.algorithms.map((a) => a.algorithm.length));
    for (const a of n.algorithms) {
      if (a.hidden) expect(screen).toContain(`    ${a.algorithm.padEnd(w)}  ${f3(a.hidden.p)} ${iv(a.hidden.ci)}  at K=${a.hidden.K}, readBits=${a.hidden.readBits}`);
      if (a.revealed) expect(screen).toContain(`    ${a.algorithm.padEnd(w)}  ${f3(a.revealed.p)} ${iv(a.revealed.ci)}  at K=${a.revealed.K}, readBits=${a.revealed.readBits}`);
    }
    // The cards: the largest hidden value, the paired sum, the best beyond K, the jump.
    for (const p of [n.hidden!, n.largestSum!, n.revealed!, n.above!]) expect(html).toContain(`<span class="value">${f3(p.p)} ${iv(p.ci)}</span>`);
    expect(screen).toContain(`Verdict: ${n.verdict}`);
    expect(html).toContain(`Result II: ${n.verdict}`);
  }
  const r = h.instability;
  if (r) {
    expect(r.groups.length).toBeGreaterThan(0);
    for (const g of r.groups) {
      const u = g.unstable;
      if (u.n === 0) {
        expect(screen).toContain(`      no accurate networks among ${u.trials} trials`);
        expect(html).toContain('<span class="value">no accurate networks</span>');
        continue;
      }
      expect(screen).toContain(`      ${u.k} of ${u.n} accurate networks ${u.n === 1 ? 'was' : 'were'} unstable at radius μ (${sharePercent(u.k, u.n)}; 95% CI ${iv(u.ci)})`);
      expect(html).toContain(`<span class="value">${sharePercent(u.k, u.n)} (${u.k} of ${u.n})</span>`);
    }
    const t = r.training!;
    expect(screen).toContain(`Training reached zero training error in ${t.zeroError} of ${t.trainings} trainings`);
    expect(html).toContain(`<span class="value">${sharePercent(t.zeroError, t.trainings)} (${t.zeroError} of ${t.trainings})</span>`);
    expect(screen).toContain(`Verdict: ${r.verdict}`);
    expect(html).toContain(`Result I: ${r.verdict}`);
  }
}
