// Runs one `paradox` CLI invocation in this process and, when it exits, writes the CPU time of the
// whole process (every thread: the CLI, the worker pool, V8's compiler and GC threads), its wall
// time and peak RSS as JSON to the file named by PARADOX_BENCH_CPU_FILE. The CLI may be another
// checkout's (the end-to-end suite runs a build from before a change against this one).
// Usage: PARADOX_BENCH_CPU_FILE=f node cli-child.mjs /path/to/packages/cli/dist/bin.js ARGS…
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bin, ...args] = process.argv.slice(2);
const file = process.env.PARADOX_BENCH_CPU_FILE;
if (!bin || !file) {
  process.stderr.write('usage: PARADOX_BENCH_CPU_FILE=f node cli-child.mjs BIN ARGS…\n');
  process.exit(2);
}
const t0 = performance.now();
process.on('exit', (code) => {
  const cpu = process.cpuUsage();
  const r = process.resourceUsage();
  writeFileSync(file, JSON.stringify({ code, cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, wallMs: performance.now() - t0, maxRssBytes: r.maxRSS * 1024 }));
});
// The CLI reads its arguments from process.argv.slice(2).
process.argv = [process.argv[0], bin, ...args];
await import(pathToFileURL(bin).href);
