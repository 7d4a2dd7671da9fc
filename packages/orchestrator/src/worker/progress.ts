/**
 * Which trials a batch is running right now, shared between the thread that runs it and the
 * backend that started it (a SharedArrayBuffer crosses into a worker thread without copying). The
 * experiment adapter marks each trial (or slice of trials) before running it; when the batch's
 * deadline stops the thread, the backend reads here which trial never finished. Cheap (three
 * atomic stores per mark) and deterministic: it changes no result.
 */

/** A view of a batch's progress buffer. */
export class TrialProgress {
  /** The shared memory: pass it with the task (`BatchTask.progress`). */
  readonly buffer: SharedArrayBuffer;
  /** [state (0 nothing reported, 1 task received, 2 trials marked), first trial, last trial]. */
  private readonly cells: Uint32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(3 * Uint32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.cells = new Uint32Array(buffer, 0, 3);
  }

  /** The thread has the task (it is loading what the batch needs, or running it). */
  received(): void {
    Atomics.compareExchange(this.cells, 0, 0, 1);
  }

  /** The batch is about to run trials first..last (stream low words). */
  mark(first: number, last: number): void {
    Atomics.store(this.cells, 0, 1);
    Atomics.store(this.cells, 1, first);
    Atomics.store(this.cells, 2, last);
    Atomics.store(this.cells, 0, 2);
  }

  /**
   * What the thread reported: nothing (a task module that does not report), `loading` (it had
   * the task but no trial had started), or the trials last marked.
   */
  state(): BatchProgressState {
    const s = Atomics.load(this.cells, 0);
    if (s === 0) return { reported: false };
    if (s === 1) return { reported: true };
    return { reported: true, running: { first: Atomics.load(this.cells, 1), last: Atomics.load(this.cells, 2) } };
  }
}

/** What a batch's thread reported about its progress (see TrialProgress.state). */
export interface BatchProgressState {
  /** False when the thread reported nothing (it may not report at all). */
  reported: boolean;
  /** The trials it was running, when it had started one. */
  running?: { first: number; last: number };
}
