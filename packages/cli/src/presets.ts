/**
 * Presets: ordinary spec files shipped in `packages/cli/presets/*.yaml`, so users can copy and
 * edit them. A preset may hold several YAML documents (one spec each: a spec is one experiment);
 * `demo` runs both experiments that way. The top-level `description:` of the first document is
 * the one-line description `paradox presets` shows.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The folder holding the preset files (next to `dist/`, also when installed from npm). */
export const PRESETS_DIR = fileURLToPath(new URL('../presets/', import.meta.url));

/** A preset on disk. */
export interface PresetInfo {
  name: string;
  path: string;
  description: string;
  /** Number of specs (YAML documents) in the file. */
  specs: number;
}

/** Every preset, sorted by name. */
export function listPresets(dir: string = PRESETS_DIR): PresetInfo[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      const docs = parseAllDocuments(readFileSync(path, 'utf8'));
      const list = Array.isArray(docs) ? docs : [docs];
      const first = list[0]?.toJS() as { description?: unknown } | undefined;
      const description = typeof first?.description === 'string' ? first.description.trim() : '';
      return { name: f.slice(0, -'.yaml'.length), path, description, specs: list.length };
    });
}

/** The names of every preset. */
export function presetNames(dir: string = PRESETS_DIR): string[] {
  return listPresets(dir).map((p) => p.name);
}

/** The preset called `name`, or undefined. */
export function findPreset(name: string, dir: string = PRESETS_DIR): PresetInfo | undefined {
  return listPresets(dir).find((p) => p.name === name);
}
