/**
 * Read access to a run directory's store, for export and reports. Opens the database read-only;
 * safe to use while a run is writing (WAL readers see the last committed batch).
 */
import type { BatchRow, RunStoreReader, TrialRow } from './types.js';
import { join } from 'node:path';
import { fileError } from '../errors.js';
import { DB_FILE, RunStore, type StoredBatch } from './db.js';

/** Trials counted for a cell: up to its stop point, or the contiguous prefix of stored batches. */
function countedTrials(batches: StoredBatch[], stoppedAt: number | null): number {
  if (stoppedAt !== null) return stoppedAt;
  let t = 0;
  for (const b of batches) {
    if (b.trialStart !== t) break;
    t += b.trialCount;
  }
  return t;
}

/**
 * Open a run directory's store read-only (E_USAGE when `dir` is not a run directory). A damaged
 * database or a file-system error while reading is reported with the database's path (E_STORE,
 * E_FS), a damaged blob with its cell and batch.
 */
export function openRunStore(dir: string): RunStoreReader {
  const path = join(dir, DB_FILE);
  let reader: RunStoreReader;
  try {
    reader = openReader(dir);
  } catch (e) {
    throw fileError(e, path, 'read the run database');
  }
  const guard = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw fileError(e, path, 'read the run database');
    }
  };
  return {
    spec: reader.spec,
    specHash: reader.specHash,
    cells: () => guard(() => reader.cells()),
    batches: (cellIndex?: number) => guard(() => reader.batches(cellIndex)),
    columns: (cellIndex: number) => guard(() => reader.columns(cellIndex)),
    *trials(cellIndex: number) {
      const it = guard(() => reader.trials(cellIndex));
      try {
        for (;;) {
          const r = guard(() => it.next());
          if (r.done) return;
          yield r.value;
        }
      } finally {
        it.return?.();
      }
    },
    verify: () => guard(() => reader.verify()),
    close: () => reader.close(),
  };
}

function openReader(dir: string): RunStoreReader {
  const store = RunStore.open(dir, { readonly: true });
  let spec: RunStoreReader['spec'];
  let specHash: string;
  try {
    spec = store.spec();
    specHash = store.meta('specHash');
  } catch (e) {
    store.close();
    throw e;
  }
  const counted = (cellIndex: number): number => {
    const row = store.cells()[cellIndex];
    return countedTrials(store.batches(cellIndex), row?.stoppedAt ?? null);
  };
  return {
    spec,
    specHash,
    cells() {
      return store.cells().map((c) => ({
        index: c.index,
        key: c.key,
        axes: c.axes,
        params: c.params,
        trialsDone: countedTrials(store.batches(c.index), c.stoppedAt),
        done: c.stoppedAt !== null,
      }));
    },
    batches(cellIndex?: number): BatchRow[] {
      return store.batches(cellIndex).map((b) => ({
        cellIndex: b.cellIndex,
        batchIndex: b.batchIndex,
        trialStart: b.trialStart,
        trialCount: b.trialCount,
        counts: b.counts,
        worker: b.worker,
        trialsMs: b.trialsMs,
        attempt: b.attempt,
      }));
    },
    columns(cellIndex: number): string[] {
      return store.columnNames(cellIndex);
    },
    *trials(cellIndex: number): IterableIterator<TrialRow> {
      const upTo = counted(cellIndex);
      const names = store.columnNames(cellIndex);
      // One iterator per column, advanced in lockstep: each holds one batch's values at a time.
      const iters = names.map((n) => store.column(cellIndex, n, upTo)()[Symbol.iterator]());
      let trial = 0;
      try {
        for (;;) {
          const chunks = iters.map((it) => it.next());
          const first = chunks[0];
          if (!first || first.done) return;
          const len = first.value.length;
          for (let i = 0; i < len; i++) {
            const values: Record<string, number> = {};
            names.forEach((n, j) => {
              values[n] = (chunks[j]?.value as Float64Array | undefined)?.[i] ?? NaN;
            });
            yield { cellIndex, trial: trial++, values };
          }
        }
      } finally {
        // A consumer that stops early (break, an error) must not leave the column queries open:
        // the database could not be closed while they are.
        for (const it of iters) it.return?.();
      }
    },
    verify() {
      store.verifyBlobs();
    },
    close() {
      store.close();
    },
  };
}
