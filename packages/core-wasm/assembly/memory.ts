// Raw linear-memory management for the TypeScript wrapper. Blocks come from the runtime's TLSF
// allocator (16-byte aligned, so f64 and v128 loads are aligned) and are never seen by the GC.
// Ownership rule: whoever allocates frees. The wrapper allocates a call's inputs and outputs,
// runs the kernel, copies the results out and frees everything in a `finally`.

/** Allocate `bytes` bytes of unmanaged linear memory. */
export function mem_alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Free a block returned by `mem_alloc`. */
export function mem_free(ptr: usize): void {
  heap.free(ptr);
}
