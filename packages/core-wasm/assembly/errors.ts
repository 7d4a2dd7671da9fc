// Error strings shared by every kernel. Each starts with a stable code in brackets; the TypeScript
// wrapper parses the code out of an abort message and rethrows a typed `CoreError` with it.
// Kernels should never be reached with invalid input (the wrapper validates first); these are the
// second line of defence, so a bug becomes a clear error instead of a trap or silent garbage.

export const ERR_SHAPE = "[E_SHAPE] array sizes do not match the network or data dimensions";
export const ERR_ARG = "[E_ARG] invalid argument passed to a kernel";
export const ERR_RANGE = "[E_RANGE] index or size out of the supported range";
export const ERR_NONFINITE = "[E_NONFINITE] a non-finite value (NaN or infinity) appeared";
