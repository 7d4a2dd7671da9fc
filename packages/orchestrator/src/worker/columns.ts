/**
 * Per-trial columns on the wire and on disk: little-endian float64 bytes, deflate-raw compressed
 * (level 1: fast, and columns of discrete outcomes — success flags, bit counts — shrink a lot),
 * base64 on the wire so that BullMQ's JSON return values can carry them.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { EncodedColumn } from './protocol.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertLittleEndian(): void {
  // Typed arrays use the host's byte order; every platform Node supports today is little-endian.
  if (!LITTLE_ENDIAN) throw new Error('paradox columns need a little-endian host');
}

/** Compress a column to the stored (blob) form. */
export function compressColumn(values: Float64Array): Buffer {
  assertLittleEndian();
  return deflateRawSync(Buffer.from(values.buffer, values.byteOffset, values.byteLength), { level: 1 });
}

/** Decompress a stored blob into values (`length` is checked). */
export function decompressColumn(blob: Uint8Array, length: number): Float64Array {
  assertLittleEndian();
  const raw = inflateRawSync(blob);
  if (raw.byteLength !== length * 8) throw new Error(`column blob holds ${raw.byteLength / 8} values, expected ${length}`);
  // A view when the inflated bytes are 8-byte aligned (they are, unless a small result came from
  // Node's shared buffer pool); otherwise copy into a fresh, aligned array.
  if (raw.byteOffset % 8 === 0) return new Float64Array(raw.buffer, raw.byteOffset, length);
  const out = new Float64Array(length);
  new Uint8Array(out.buffer).set(raw);
  return out;
}

/** Encode a column for the wire. */
export function encodeColumn(values: Float64Array): EncodedColumn {
  return { encoding: 'f64le-deflate-base64', length: values.length, data: compressColumn(values).toString('base64') };
}

/** The stored blob of a wire column (base64 decoded, still compressed). */
export function columnBlob(col: EncodedColumn): Buffer {
  if (col.encoding !== 'f64le-deflate-base64') throw new Error(`unknown column encoding ${JSON.stringify(col.encoding)}`);
  return Buffer.from(col.data, 'base64');
}

/** Decode a wire column into values. */
export function decodeColumn(col: EncodedColumn): Float64Array {
  return decompressColumn(columnBlob(col), col.length);
}
