// Runs one orchestrator sweep in a fresh process (so peak RSS is this sweep's alone) and prints one
// JSON line: pairs, wall ms, CPU ms of the whole process (all threads), peak RSS, and RSS samples over time (to see that memory stays flat).
// `pairs` counts the trial pairs the results use (RunResult.trialsUsed), as the CLI's closing
// `Finished …: N trials in T (R trials/s)` line does, so pairs/s means the same in both; with an
// adaptive stopping rule, batches already running when a cell stops are run and discarded, and
// `pairsRun` (present only when it differs) counts them too (RunResult.trialsRun). `elapsedMs` is
// the orchestrator's own session time (the CLI line's T); `ms` is the whole runSweep call.
// Usage: node sweep-child.mjs SPEC_JSON WORKERS OUT_DIR [BATCH]   (BATCH: a trial count or auto; default: the spec's)
import { runSweep } from '@paradox/orchestrator';

const [specJson, workers, outDir, batch] = process.argv.slice(2);
const samples = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const timer = setInterval(() => samples.push([Math.round(performance.now() - t0), process.memoryUsage().rss]), 250);
const res = await runSweep(JSON.parse(specJson), {
  outDir,
  workers: workers === 'auto' ? 'auto' : Number(workers),
  ...(batch === undefined ? {} : { batch: batch === 'auto' ? 'auto' : Number(batch) }),
});
clearInterval(timer);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const run = res.trialsRun !== res.trialsUsed ? { pairsRun: res.trialsRun } : {};
process.stdout.write(
  `${JSON.stringify({ status: res.status, pairs: res.trialsUsed, ...run, ms, elapsedMs: res.elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024, samples })}\n`,
);
