/**
 * The HTML report: @paradox/viz's `writeReport(runDir)`. viz is loaded only when a report is
 * written (it brings the chart renderer); when it cannot be loaded or fails, the CLI still has
 * summary.json and summary.csv, and the headline says why there is no report.
 */
import { existsSync } from 'node:fs';
import type { ReportResult } from '@paradox/viz';

/** The outcome of trying to write a report. */
export type ReportOutcome = { ok: true; path: string } | { ok: false; reason: string };

/** Writes `dir/report.html` (and its charts) with viz; failures are reported, not thrown. */
export async function writeReportIfAvailable(dir: string): Promise<ReportOutcome> {
  let writeReport: (target: string) => Promise<ReportResult>;
  try {
    ({ writeReport } = await import('@paradox/viz'));
  } catch (e) {
    return { ok: false, reason: `@paradox/viz could not be loaded: ${(e as Error).message.split('\n')[0]}` };
  }
  try {
    const { path } = await writeReport(dir);
    if (!existsSync(path)) return { ok: false, reason: `viz's writeReport did not produce ${path}` };
    return { ok: true, path };
  } catch (e) {
    return { ok: false, reason: `the report could not be written: ${(e as Error).message.split('\n')[0]}` };
  }
}
