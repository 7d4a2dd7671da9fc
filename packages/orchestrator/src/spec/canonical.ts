/**
 * Canonical JSON and the hashes built on it. A canonical form makes "the same spec" and "the same
 * cell" a byte comparison: object keys sorted by code unit, no whitespace, numbers in JavaScript's
 * shortest round-trip form (so 0.1 and 1e-1 are the same), -0 written as 0.
 */
import { createHash } from 'node:crypto';
import type { Json } from '../worker/protocol.js';

/** Canonical JSON text of a JSON value (sorted keys, no whitespace). */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
    return Object.is(value, -0) ? '0' : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(',')}}`;
}

/** A copy of a JSON value with every object's keys in sorted order (for stored documents). */
export function sortKeysDeep(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeysDeep(value[k] as Json);
    return out;
  }
  return value;
}

/** SHA-256 of a string, hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * hash32 of a canonical cell key: the first four bytes of its SHA-256, big-endian, as an unsigned
 * 32-bit integer. This is the Philox `streamHi` of every trial of the cell (SPEC §4.2), so it must
 * never change for a given key: it is part of the reproducibility contract.
 */
export function hash32(key: string): number {
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0);
}
