/**
 * Every subcommand's name and one-line summary, in the order `paradox --help` lists them: the light
 * command table. `paradox --help`, `paradox --version` and an unknown command's "did you mean" need
 * only this; a command's module (and what it imports: the orchestrator, zod, yaml, the core) is
 * loaded when that command is chosen (main.ts). Each command's spec takes its summary from here.
 */
export const COMMAND_SUMMARIES = {
  run: 'run a sweep from a spec file or a preset',
  resume: 'finish an interrupted run (only missing batches run; results are bit-identical)',
  report: 'write report.html for a run (when the viz package provides it) and print the headline',
  export: 'export a run\'s results as CSV, JSON or Parquet (per cell and ε, or per trial)',
  analyse: 'accuracy and [certified, attacked] robustness radii of your own network on your own data',
  verify: 'decide a VNN-LIB property of a network (complete, sound both ways): sat / unsat / timeout',
  stripes: 'export a stripes problem\'s data for your own trainer, or judge a network trained elsewhere on it',
  worker: 'process batches of a bullmq run from Redis (start one per machine)',
  presets: 'list the built-in presets (spec files you can run, copy and edit)',
  demo: 'run both experiments at demo size (under a minute on 2 cores) and print what they show',
  bench: 'run the benchmark suite (core-wasm vs TypeScript, TensorFlow.js, PyTorch; throughput)',
  explore: 'serve the interactive explorer (core-wasm in your browser) on localhost',
  explain: 'define a term of the headline and the report (μ, P(N), F3, ψ_T, σ, ε_B, min(p⁺, p⁻), the algorithms)',
} as const;

/** The name of a subcommand. */
export type CommandName = keyof typeof COMMAND_SUMMARIES;
