// Standalone entry of the noncomputability area, used to compile it on its own
// (`npx asc assembly/noncomputability/index.ts`) before it joins assembly/index.ts.
export * from "../memory";
export * from "./exports";
