/**
 * A plugin that returns NaN weights on some trials: those runs are recorded as diverged (as
 * before) and now counted — in summary.json (the cell's `pluginNaN`, the headline's) and in the
 * headline's verdict — the count matching the plugin's own stream, whatever the batch size.
 */
import { PhiloxStream, SUBSTREAM } from '@paradox/core-wasm';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep } from '../src/api.js';
import { expandCells } from '../src/spec/index.js';
import { loadSpec } from '../src/spec/load.js';
import type { NoncomputabilityCell, Summary } from '../src/summary/types.js';
import { fixturePath, tempDir } from './helpers/sweep.js';

describe('a plugin returning NaN weights', () => {
  it('is counted per cell and in the headline, the same at any batch size', async () => {
    const dir = tempDir();
    copyFileSync(fixturePath('plugin-nan-sometimes.mjs'), join(dir, 'nan.mjs'));
    const file = (batch: number): string => {
      const f = join(dir, `nan-${batch}.json`);
      writeFileSync(
        f,
        JSON.stringify({ name: 'nan', experiment: 'noncomputability', seed: 4, grid: { K: [6, 9] }, fixed: { algorithm: 'plugin', plugin: './nan.mjs', readBits: 4, epsilons: [0.1, 0.6] }, trials: 50, batch }),
      );
      return f;
    };
    const summaries: string[] = [];
    const spec = await loadSpec(file(7));
    for (const batch of [7, 50]) {
      await runSweep(await loadSpec(file(batch)), { outDir: join(dir, `run-${batch}`), workers: 2 });
      summaries.push(readFileSync(join(dir, `run-${batch}`, 'summary.json'), 'utf8'));
    }
    expect(summaries[0]).toBe(summaries[1]);
    const s = JSON.parse(summaries[0]!) as Summary;
    const cells = s.cells as NoncomputabilityCell[];
    let total = 0;
    expandCells(spec).forEach((cell, i) => {
      // The fixture breaks a trial when its first uniform is below 0.2; both signs share the
      // trial's stream, so a broken trial gives two NaN runs.
      let broken = 0;
      for (let t = 0; t < 50; t++) {
        if (new PhiloxStream({ words: [4, 0, SUBSTREAM.noncomputability.algorithm, t, cell.hash32] }).uniform() < 0.2) broken++;
      }
      expect(cells[i]!.pluginNaN).toEqual({ runs: 2 * broken, of: 100 });
      total += 2 * broken;
    });
    expect(total).toBeGreaterThan(0);
    expect(s.headline!.noncomputability!.pluginNaN).toEqual({ runs: total, of: 200, cells: cells.filter((c) => c.pluginNaN!.runs > 0).length });
    expect(s.headline!.noncomputability!.verdict).toContain(`The plugin returned NaN weights in ${total} of 200 runs`);
  });
});
