/**
 * The early worker pool of `run`, `demo` and `resume`: a local run's threads boot (~0.25 CPU-s
 * each) while the command loads and checks its spec or run directory, instead of inside the run.
 */

/**
 * Runs `body` while a local pool of `workers` threads (`auto`: one per core; undefined: no pool,
 * e.g. a bullmq run) starts; the run `body` starts adopts it when its thread count matches.
 * `body` receives `release`, to destroy the pool early once it knows no local run follows; the
 * pool is released in any case when `body` ends without having adopted it.
 */
export async function withEarlyPool<T>(workers: number | 'auto' | undefined, body: (release: () => Promise<void>) => Promise<T>): Promise<T> {
  const local = workers === undefined ? undefined : await import('@paradox/orchestrator/local');
  if (local && workers !== undefined) local.prestartLocalPool(workers === 'auto' ? local.autoWorkers() : workers);
  const release = async (): Promise<void> => void (await local?.releasePrestartedPool());
  try {
    return await body(release);
  } finally {
    await release();
  }
}
