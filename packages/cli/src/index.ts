/**
 * @paradox/cli — the `paradox` command as a library: `main(argv, ctx)` runs it in-process (the
 * binary is a thin wrapper), and the pieces other tools may reuse: the headline, the export
 * table and writers, presets and the "did you mean" helper.
 */
export { main, COMMAND_NAMES, loadCommand, loadCommands } from './main.js';
export { COMMAND_SUMMARIES, type CommandName } from './commands/names.js';
export type { Context } from './context.js';
export { headline, headlineText, sharePercent, type Headline } from './headline.js';
export { summaryTable, trialTable, type Table } from '@paradox/orchestrator';
export { toCsv, toJson, writeRows, writeTable, FORMATS, type Format } from './export/write.js';
export { listPresets, findPreset, PRESETS_DIR, type PresetInfo } from './presets.js';
export { closest, didYouMean, editDistance } from './suggest.js';
export { EXIT_INTERRUPTED } from './engine.js';
