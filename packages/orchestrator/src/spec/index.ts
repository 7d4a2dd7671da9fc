/**
 * Sweep specs: parse (YAML or JSON), validate and normalise with the zod schema, hash, expand
 * into cells. Implementation lands in this folder; these are the public signatures.
 */
import { OrchestratorError } from '../errors.js';
import type { Cell, NormalisedSpec, SpecInput } from './types.js';

const pending = (what: string): never => {
  throw new OrchestratorError('E_USAGE', `${what} is not implemented yet (orchestrator work in progress)`);
};

/** Read and normalise a spec from a file path (`.yaml`, `.yml`, `.json`) or an object. Throws SpecError. */
export async function loadSpec(source: string | SpecInput): Promise<NormalisedSpec> {
  void source;
  return pending('loadSpec');
}

/** Parse spec text (`yaml` also accepts JSON) and normalise it. `source` names the file in errors. */
export function parseSpec(text: string, format: 'yaml' | 'json', source?: string): NormalisedSpec {
  void [text, format, source];
  return pending('parseSpec');
}

/** Validate and normalise a parsed spec object (defaults filled, canonical key order). Throws SpecError. */
export function normaliseSpec(input: unknown, source?: string): NormalisedSpec {
  void [input, source];
  return pending('normaliseSpec');
}

/** SHA-256 (hex) of the result-determining part of a normalised spec (execution settings excluded). */
export function specHash(spec: NormalisedSpec): string {
  void spec;
  return pending('specHash');
}

/** Expand a normalised spec into its cells, in grid order. */
export function expandCells(spec: NormalisedSpec): Cell[] {
  void spec;
  return pending('expandCells');
}
