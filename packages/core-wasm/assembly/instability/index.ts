// Standalone entry of the instability area (compile check: `npx asc assembly/instability/index.ts`).
// The module build re-exports ./exports from assembly/index.ts.
export * from "./exports";
