/**
 * Reading summary.json back.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OrchestratorError } from '../errors.js';
import type { Summary } from './types.js';

/** Read `dir/summary.json` (E_USAGE when missing, E_STORE when not a paradox-summary/1 document). */
export async function readSummary(dir: string): Promise<Summary> {
  const path = join(dir, 'summary.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new OrchestratorError('E_USAGE', `${path}: no summary.json here; expected a paradox run directory`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new OrchestratorError('E_STORE', `${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || (doc as { format?: unknown }).format !== 'paradox-summary/1') {
    throw new OrchestratorError('E_STORE', `${path}: expected format "paradox-summary/1"`);
  }
  return doc as Summary;
}
