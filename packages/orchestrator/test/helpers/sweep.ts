/**
 * Shared pieces of the sweep tests: temporary run directories and small real specs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseSpec } from '../../src/spec/index.js';

/** A fresh directory under the OS temp dir. */
export function tempDir(prefix = 'paradox-orch-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** summary.json of a run directory, as bytes (determinism is a byte comparison). */
export function summaryBytes(dir: string): string {
  return readFileSync(join(dir, 'summary.json'), 'utf8');
}

/**
 * The message of the error `normaliseSpec` raises for `spec` (the spec-error tests match it), or
 * 'no error' when the spec is accepted.
 */
export function specError(spec: Record<string, unknown>): string {
  try {
    normaliseSpec(spec);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

/** File URL of a fixture task module. */
export function fixture(name: string): string {
  return new URL(`../fixtures/${name}`, import.meta.url).href;
}

/** Path of a fixture file. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/**
 * A small real noncomputability sweep: a cheap algorithm and an optimiser, below and above the
 * breakdown, with readBits on both sides of K. About a second of work on one core.
 */
export const SMALL_SPEC = {
  name: 'small',
  experiment: 'noncomputability',
  seed: 20240601,
  grid: { algorithm: ['coin', 'gd'], K: [4, 10] },
  zip: { readBits: [3, 16] },
  fixed: { steps: 20, samples: 4 },
  trials: 90,
} as const;
