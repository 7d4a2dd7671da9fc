/**
 * The HTML report, when @paradox/viz provides `writeReport(runDir)`. Looked up at runtime so the
 * CLI works (summary.json/summary.csv only, no invented charts) while viz is not built or not
 * finished; the headline then says why there is no report.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The outcome of trying to write a report. */
export type ReportOutcome = { ok: true; path: string } | { ok: false; reason: string };

type WriteReport = (runDir: string) => unknown;

async function loadWriteReport(): Promise<WriteReport | string> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import('@paradox/viz')) as Record<string, unknown>;
  } catch (e) {
    return `@paradox/viz could not be loaded: ${(e as Error).message.split('\n')[0]}`;
  }
  const fn = mod.writeReport;
  return typeof fn === 'function' ? (fn as WriteReport) : 'no HTML report: this build of @paradox/viz has no writeReport';
}

/** Where `writeReport`'s result says the report is (it may return a path, an object, or nothing). */
function reportPath(dir: string, result: unknown): string {
  if (typeof result === 'string') return result;
  if (typeof result === 'object' && result !== null) {
    for (const k of ['html', 'path', 'report', 'reportPath']) {
      const v = (result as Record<string, unknown>)[k];
      if (typeof v === 'string') return v;
    }
  }
  return join(dir, 'report.html');
}

/** Writes `dir/report.html` (and its charts) with viz; failures are reported, not thrown. */
export async function writeReportIfAvailable(dir: string): Promise<ReportOutcome> {
  const fn = await loadWriteReport();
  if (typeof fn === 'string') return { ok: false, reason: fn };
  try {
    const path = reportPath(dir, await fn(dir));
    if (!existsSync(path)) return { ok: false, reason: `viz's writeReport did not produce ${path}` };
    return { ok: true, path };
  } catch (e) {
    return { ok: false, reason: `the report could not be written: ${(e as Error).message.split('\n')[0]}` };
  }
}
