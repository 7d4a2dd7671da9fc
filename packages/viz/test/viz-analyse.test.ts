// Charts and report section of analyse runs: every caption sentence is computed from the summary,
// and says something else when the data do not show the pattern.
import { describe, expect, it } from 'vitest';
import { analyseRadiusChart, robustAccuracyChart, robustAccuracyFinding, radiusFindingAnalyse, summaryCharts } from '../src/charts/index.js';
import { renderSvg } from '../src/render/svg.js';
import { analyseHeadline, analyseTable } from '../src/report/analyse-section.js';
import { analyseCell, analyseSummary } from './fixtures/summaries.js';

describe('analyse charts', () => {
  it('robust accuracy: the widest bracket is named from the data; coinciding bounds and crossings are said', () => {
    const s = analyseSummary([
      analyseCell({ norm: 'linf' }, 20, 18, [[0.01, 16, 18], [0.05, 6, 15]]),
      analyseCell({ norm: 'l2' }, 20, 18, [[0.01, 18, 18], [0.05, 10, 12]]),
    ]);
    const f = robustAccuracyFinding(s);
    expect(f).toBe('The widest bracket is at radius 0.05 in norm linf: between 0.3 certified and 0.75 not broken by any attack. At 1 of 4 (cell, radius) pairs the two bounds coincide.');
    // Bounds equal everywhere: no bracket to name.
    const closed = analyseSummary([analyseCell({ norm: 'linf' }, 10, 9, [[0.01, 9, 9], [0.1, 4, 4]])]);
    expect(robustAccuracyFinding(closed)).toBe('At every radius the certified and attacked shares coincide: robust accuracy is known exactly there.');
    // A certified share above the attacked one is impossible for sound bounds: reported, not hidden.
    const crossed = analyseSummary([analyseCell({ norm: 'linf' }, 10, 9, [[0.01, 9, 8]])]);
    expect(robustAccuracyFinding(crossed)).toContain('Problem: the certified share exceeds the attacked one for norm linf at radius 0.01 (certified 0.9 > attacked 0.8)');
    expect(robustAccuracyFinding(analyseSummary([analyseCell({}, 0, 0, [])]))).toBe('No cell has analysed points at a listed radius yet.');
  });

  it('radius distributions: points without a witness are counted only when there are some', () => {
    const all = radiusFindingAnalyse(analyseSummary([analyseCell({ data: '/x/a.csv' }, 10, 8, [])]));
    expect(all).toBe('data a.csv: median certified 0.02, median attacked 0.05.');
    const some = radiusFindingAnalyse(analyseSummary([analyseCell({ data: '/x/a.csv' }, 10, 8, [], 5)]));
    expect(some).toBe('data a.csv: median certified 0.02, median attacked 0.05; 3 of 8 correct points without a witness up to the largest radius searched (left out of the attacked box).');
    const none = radiusFindingAnalyse(analyseSummary([analyseCell({ data: '/x/a.csv' }, 10, 8, [], 0)]));
    expect(none).toContain('median attacked — (no witness); 8 of 8 correct points without a witness');
  });

  it('render as SVG; the report section and table read the cells', async () => {
    const s = analyseSummary([analyseCell({ norm: 'linf' }, 20, 18, [[0.01, 16, 18], [0.05, 6, 15]], 17)]);
    expect(summaryCharts(s).map((c) => c.id)).toEqual(['analyse-robust-accuracy', 'analyse-radii']);
    for (const chart of [robustAccuracyChart(s), analyseRadiusChart(s)]) expect(await renderSvg(chart.spec)).toMatch(/^<svg/);
    expect(analyseHeadline(s)).toContain('norm linf: accuracy 0.9');
    expect(analyseHeadline(s)).toContain('gap attacked − certified median 0.03');
    expect(analyseHeadline(analyseSummary([analyseCell({}, 0, 0, [])]))).toContain('No point analysed yet');
    const t = analyseTable(s);
    expect(t).toContain('robust at 0.05 (certified–attacked)');
    expect(t).toContain('0.3–0.75');
  });
});
