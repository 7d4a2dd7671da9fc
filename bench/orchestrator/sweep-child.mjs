// Runs one orchestrator sweep in a fresh process (so peak RSS is this sweep's alone) and prints one
// JSON line: pairs, wall ms, CPU ms of the whole process (all threads), peak RSS, and RSS samples over time (to see that memory stays flat).
// Usage: node sweep-child.mjs SPEC_JSON WORKERS OUT_DIR
import { runSweep } from '@paradox/orchestrator';

const [specJson, workers, outDir] = process.argv.slice(2);
const samples = [];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const timer = setInterval(() => samples.push([Math.round(performance.now() - t0), process.memoryUsage().rss]), 250);
const res = await runSweep(JSON.parse(specJson), { outDir, workers: workers === 'auto' ? 'auto' : Number(workers) });
clearInterval(timer);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ status: res.status, pairs: res.trialsRun, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024, samples })}\n`,
);
