/** `paradox demo`: both experiments at a small size, under a minute on two cores. */
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';
import { RUN_OPTIONS, runSpecArg } from './run.js';

/** `paradox demo`. */
export const demoCommand: Command = {
  spec: {
    name: 'demo',
    summary: COMMAND_SUMMARIES.demo,
    details: 'Runs the demo preset: the instability dichotomy, then existence without computability,\ninto one run directory with a subdirectory per experiment. Same as: paradox run demo',
    positionals: [],
    options: Object.fromEntries(Object.entries(RUN_OPTIONS).filter(([k]) => k !== 'trials')),
    examples: ['paradox demo', 'paradox demo --out runs/first-look', 'paradox demo --json | tail -n 2'],
  },
  run: (args, ctx) => runSpecArg('demo', 'demo', args.values, ctx),
};
