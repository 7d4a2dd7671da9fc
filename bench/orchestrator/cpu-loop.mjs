// Control for the parallel-efficiency measurement: a fixed arithmetic loop in N worker threads.
// If N threads do N× the work in the same time the machine really has N free cores; on a shared or
// oversubscribed machine this shows how much parallelism was available at all.
// Usage: node cpu-loop.mjs THREADS → prints the wall milliseconds.
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

if (isMainThread) {
  const n = Number(process.argv[2] ?? 1);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => new Worker(new URL(import.meta.url)).on('message', resolve))));
  process.stdout.write(`${performance.now() - t0}\n`);
} else {
  let x = 0;
  for (let i = 0; i < 1.5e8; i++) x = (x * 1.0000001 + i) % 1e9;
  parentPort.postMessage(x);
}
