// Report pieces of verify runs (one VNN-LIB instance per cell): the verdict sentence comes from
// the headline counts, the cell table lists each instance's VNN-COMP result, and no chart is drawn.
import { describe, expect, it } from 'vitest';
import { headlineOf } from '@paradox/orchestrator/summary';
import { summaryCharts } from '../src/charts/index.js';
import type { Summary } from '../src/charts/types.js';
import { verdicts } from '../src/report/headline.js';
import { cellTable } from '../src/report/tables.js';

type Verdict = 'verified' | 'falsified' | 'unknown' | null;

function verifySummary(cells: Array<[string, Verdict, 'time' | 'nodes' | null, number | null]>): Summary {
  const words: Record<string, string> = { verified: 'unsat', falsified: 'sat' };
  return {
    format: 'paradox-summary/1',
    run: { name: 'v', experiment: 'verify', specHash: 'x', seed: 0, complete: true, cellsComplete: cells.length, cellsTotal: cells.length, trialsDone: cells.length, confidence: 0.95, minTrials: null },
    cells: cells.map(([prop, verdict, reason, nodes], i) => ({
      experiment: 'verify', cellKey: `k${i}`, axes: { property: prop }, params: {}, complete: verdict !== null,
      network: '/nets/ACASXU_run2a_1_1_batch_2000.onnx', property: `/props/${prop}`, trials: verdict === null ? 0 : 1,
      verdict, reason, nodes, result: verdict === null ? null : verdict === 'unknown' ? (reason === 'time' ? 'timeout' : 'unknown') : words[verdict],
      counterexample: { x: null, y: null }, vnncomp: null,
    })),
  } as unknown as Summary;
}

describe('verify report', () => {
  it('verdict sentence from the counts, one table row per instance, no charts', () => {
    const s = verifySummary([['prop_1.vnnlib', 'verified', null, 79], ['prop_2.vnnlib', 'falsified', null, 3], ['prop_3.vnnlib', 'unknown', 'time', 900]]);
    expect(verdicts(headlineOf(s))).toEqual(['Verification: 3 instances: 1 verified (unsat), 1 falsified (sat), 1 undecided (1 at the time limit (timeout)).']);
    const html = cellTable(s);
    expect(html).toContain('prop_2.vnnlib');
    expect(html).toContain('timeout');
    expect(html).toContain('time limit');
    expect(html).not.toContain('/props/');
    expect(summaryCharts(s)).toEqual([]);
    // Nothing falsified and every instance decided: the sentence says so, not a fixed text.
    const allProved = verifySummary([['prop_1.vnnlib', 'verified', null, 79]]);
    expect(verdicts(headlineOf(allProved))).toEqual(['Verification: 1 instance: 1 verified (unsat), 0 falsified (sat), 0 undecided — every instance decided.']);
  });
});
