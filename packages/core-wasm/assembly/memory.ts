// Raw linear-memory management for the TypeScript wrapper. Blocks come from the runtime's TLSF
// allocator (16-byte aligned, so f64 and v128 loads are aligned) and are never seen by the GC.
// Ownership rule: whoever allocates frees. The wrapper allocates a call's inputs and outputs,
// runs the kernel, copies the results out and frees everything in a `finally`.

import { AL_MASK, BLOCK_OVERHEAD } from "rt/common";
import { ROOT } from "rt/tlsf";

/** Allocate `bytes` bytes of unmanaged linear memory. */
export function mem_alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Free a block returned by `mem_alloc`. */
export function mem_free(ptr: usize): void {
  heap.free(ptr);
}

// ── Heap probe (tests only) ─────────────────────────────────────────────────────────────────────
// The bytes held in used heap blocks after a full garbage collection: unmanaged blocks still
// allocated plus managed objects still reachable. Tests compare it before and after many trials to
// catch a leak of a few hundred bytes per trial, which counting 64 KiB memory pages cannot see.
// It walks the TLSF allocator's blocks, which lie back to back from just after its root structure
// to a zero-size tail block at the end of memory; the layout constants below mirror
// ~lib/rt/tlsf.ts (assemblyscript 0.28). If they ever disagree the walk does not end on the tail and
// the probe returns -1, so a test fails instead of measuring garbage.

// Root layout of ~lib/rt/tlsf.ts: flMap, then FL_BITS second-level maps (u32), then FL_BITS × SL_SIZE
// free-list heads (usize), then the tail pointer.
const TLSF_SL_BITS: usize = 4;
const TLSF_FL_BITS: usize = 31 - (TLSF_SL_BITS + 4); // 4 = AL_BITS
const TLSF_SL_END: usize = sizeof<usize>() + (TLSF_FL_BITS << 2);
const TLSF_HL_END: usize = ((TLSF_SL_END + AL_MASK) & ~AL_MASK) + TLSF_FL_BITS * (1 << TLSF_SL_BITS) * sizeof<usize>();
const TLSF_ROOT_SIZE: usize = TLSF_HL_END + sizeof<usize>();
const TLSF_FREE: usize = 1;
const TLSF_TAGS: usize = 3;

/** Bytes in used heap blocks (payload and headers) after a full collection; -1 if the heap walk is inconsistent. */
export function mem_live_bytes(): f64 {
  __collect();
  const root = changetype<usize>(ROOT);
  if (root == 0) return 0; // nothing allocated yet
  const end = <usize>memory.size() << 16;
  const tail = load<usize>(root + TLSF_HL_END);
  let block = ((root + TLSF_ROOT_SIZE + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
  let used: usize = 0;
  while (block < end) {
    const info = load<usize>(block);
    const size = info & ~TLSF_TAGS;
    if (size == 0) break; // the tail
    if ((info & TLSF_FREE) == 0) used += BLOCK_OVERHEAD + size;
    block += BLOCK_OVERHEAD + size;
  }
  if (block != tail || block != end - BLOCK_OVERHEAD) return -1;
  return <f64>used;
}
