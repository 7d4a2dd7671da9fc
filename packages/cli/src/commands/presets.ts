/** `paradox presets`: the shipped spec files with their one-line descriptions. */
import { relative } from 'node:path';
import { println } from '../context.js';
import { listPresets, PRESETS_DIR } from '../presets.js';
import type { Command } from './types.js';
import { COMMAND_SUMMARIES } from './names.js';

/** `paradox presets`. */
export const presetsCommand: Command = {
  spec: {
    name: 'presets',
    summary: COMMAND_SUMMARIES.presets,
    positionals: [],
    options: { json: { type: 'boolean', description: 'print the list as JSON' } },
    examples: ['paradox presets', 'paradox run breakdown', `cp "$(paradox presets --json | jq -r '.[0].path')" my-sweep.yaml`],
  },
  run: async (args, ctx) => {
    const presets = listPresets();
    if (args.values.json) {
      println(ctx.stdout, JSON.stringify(presets));
      return 0;
    }
    const w = Math.max(...presets.map((p) => p.name.length));
    for (const p of presets) println(ctx.stdout, `  ${p.name.padEnd(w)}  ${p.description}`);
    println(ctx.stdout);
    println(ctx.stdout, `Run one with: paradox run NAME. The files are in ${relative(ctx.cwd, PRESETS_DIR) || PRESETS_DIR}; copy one to start your own spec.`);
    return 0;
  },
};
