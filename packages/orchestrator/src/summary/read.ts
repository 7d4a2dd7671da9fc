/**
 * Reading summary.json back: the one reader of the document (the CLI and viz use it too).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OrchestratorError } from '../errors.js';
import { RUN_FILES } from '../run-dir/files.js';
import type { Summary } from './types.js';

/**
 * Check and return a summary document from its text; `path` names it in errors. E_STORE when the
 * text is not JSON, not `paradox-summary/1`, lacks `run` or `cells`, or names an unknown
 * experiment or a cell of another experiment than the run's.
 */
export function parseSummary(text: string, path: string): Summary {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new OrchestratorError('E_STORE', `${path}: not valid JSON (${(e as Error).message})`);
  }
  const d = doc as Partial<Summary> | null;
  if (typeof d !== 'object' || d === null || d.format !== 'paradox-summary/1') {
    throw new OrchestratorError('E_STORE', `${path}: expected format "paradox-summary/1"`);
  }
  if (typeof d.run !== 'object' || d.run === null || !Array.isArray(d.cells)) {
    throw new OrchestratorError('E_STORE', `${path}: a paradox summary needs a "run" object and a "cells" array`);
  }
  const experiment = d.run.experiment;
  if (experiment !== 'noncomputability' && experiment !== 'instability' && experiment !== 'analyse' && experiment !== 'verify') {
    throw new OrchestratorError('E_STORE', `${path}: run.experiment must be "noncomputability", "instability", "analyse" or "verify", got ${JSON.stringify(experiment)}`);
  }
  d.cells.forEach((c, i) => {
    if (c?.experiment !== experiment) {
      throw new OrchestratorError('E_STORE', `${path}: cells[${i}].experiment must be ${JSON.stringify(experiment)} like the run, got ${JSON.stringify(c?.experiment)}`);
    }
  });
  return d as Summary;
}

/** Read `dir/summary.json` (E_USAGE when missing, E_STORE when not a valid paradox-summary/1 document). */
export async function readSummary(dir: string): Promise<Summary> {
  const path = join(dir, RUN_FILES.summary);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new OrchestratorError('E_USAGE', `${path}: no summary.json here; expected a paradox run directory`);
  }
  return parseSummary(text, path);
}
