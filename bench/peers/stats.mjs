// Timing statistics shared by the peer suites: median and range of repeated runs after warm-up.

/** Median, min and max of a list of numbers (the median of an even list is the mean of the middle two). */
export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, min: s[0], max: s[n - 1], n };
}

/**
 * Time `body` (synchronous or async) `runs` times after `warmup` untimed calls; returns the
 * wall-clock seconds of each timed call.
 */
export async function timeRuns(body, { warmup = 1, runs = 5 } = {}) {
  for (let i = 0; i < warmup; i++) await body();
  const secs = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await body();
    secs.push((performance.now() - t0) / 1000);
  }
  return secs;
}
