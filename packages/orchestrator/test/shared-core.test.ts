/**
 * One compiled WebAssembly core per pool: the thread that starts a pool compiles the core and
 * hands it to every task thread in workerData (worker/shared-core.ts); the task instantiates that
 * module instead of compiling its own.
 */
import { Piscina } from 'piscina';
import { describe, expect, it } from 'vitest';
import { defaultTaskModule } from '../src/backends/local.js';
import { sharedCoreModule, taskThreadData } from '../src/worker/shared-core.js';
import { expandCells, normaliseSpec } from '../src/spec/index.js';
import { PROTOCOL_VERSION, type BatchOutcome, type BatchTask } from '../src/worker/protocol.js';

/** A module whose only export says ABI 999: a thread that instantiates it must refuse it by name. */
const ABI_999 = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x07, 0x0f, 0x01, 0x0b, ...new TextEncoder().encode('abi_version'), 0x00, 0x00, // export it
  0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0xe7, 0x07, 0x0b, // body: i32.const 999
]);

const [cell] = expandCells(normaliseSpec({ experiment: 'noncomputability', seed: 1, fixed: { algorithm: 'coin', K: 8, readBits: 4 }, trials: 2 }));
const task: BatchTask = {
  type: 'batch', protocol: PROTOCOL_VERSION, runId: 'r', cellIndex: 0, cellKey: 'k', cellHash32: 1, batchIndex: 0,
  experiment: 'noncomputability', params: cell!.params, seed: 1, trialStart: 0, trialCount: 2, attempt: 1,
};

describe('shared core', () => {
  it('taskThreadData compiles the core; sharedCoreModule takes only a compiled module', async () => {
    const data = await taskThreadData();
    expect(data.coreModule).toBeInstanceOf(WebAssembly.Module);
    expect(sharedCoreModule(data)).toBe(data.coreModule);
    for (const other of [undefined, null, {}, { coreModule: 'release.wasm' }, { coreModule: new Uint8Array(4) }]) {
      expect(sharedCoreModule(other)).toBeUndefined();
    }
  });

  it('a task thread instantiates the module its pool gave it, not its own build', async () => {
    const pool = new Piscina({ filename: defaultTaskModule(), minThreads: 1, maxThreads: 1, workerData: { coreModule: new WebAssembly.Module(ABI_999) } });
    try {
      const out = (await pool.run(task)) as BatchOutcome;
      expect(out.type).toBe('batch-failure');
      if (out.type !== 'batch-failure') return;
      expect(out.error.message).toMatch(/ABI 999 does not match wrapper ABI 1/);
    } finally {
      await pool.destroy();
    }
    // Without a module in workerData the thread loads its own core, and the same task runs.
    const plain = new Piscina({ filename: defaultTaskModule(), minThreads: 1, maxThreads: 1 });
    try {
      const out = (await plain.run(task)) as BatchOutcome;
      expect(out.type === 'batch-failure' ? out.error.message : out.type).toBe('batch-result');
    } finally {
      await plain.destroy();
    }
  });
});
