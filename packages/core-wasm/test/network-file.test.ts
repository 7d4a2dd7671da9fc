// readNetworkFile / networkFromBytes: the one loader of network files (ONNX or paradox-network/1
// JSON by extension) used by the CLI and the orchestrator's analyse sweeps.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreError, networkToJSON } from '../src/index.js';
import { loadOnnx, networkFromBytes, readNetworkFile } from '../src/io/onnx-entry.js';

const torch = fileURLToPath(new URL('./fixtures/onnx-torch/', import.meta.url));

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    return (e as CoreError).code;
  }
  throw new Error('expected a CoreError');
}

describe('readNetworkFile', () => {
  it('reads ONNX by extension (identical to loadOnnx) and anything else as paradox-network/1 JSON', async () => {
    const bytes = readFileSync(join(torch, 'mlp-2-8-1.onnx'));
    const net = await readNetworkFile('mlp-2-8-1.onnx', torch);
    expect(net).toEqual(loadOnnx(new Uint8Array(bytes)));
    const dir = mkdtempSync(join(tmpdir(), 'netfile-'));
    writeFileSync(join(dir, 'n.json'), JSON.stringify(networkToJSON(net)));
    const back = await readNetworkFile(join(dir, 'n.json'));
    expect(Array.from(back.params)).toEqual(Array.from(net.params));
    expect(back.dims).toEqual(net.dims);
    // Upper-case extension is still ONNX; JSON bytes under .onnx are refused as ONNX.
    expect(networkFromBytes(new Uint8Array(bytes), 'X.ONNX').dims).toEqual(net.dims);
    expect(() => networkFromBytes(new TextEncoder().encode('{}'), 'n.onnx')).toThrow(/onnx/);
  });

  it('missing file E_NOT_FOUND, directory E_ARG, malformed E_FORMAT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netfile-'));
    expect(await code(readNetworkFile('nope.onnx', dir))).toBe('E_NOT_FOUND');
    expect(await code(readNetworkFile(dir))).toBe('E_ARG');
    writeFileSync(join(dir, 'bad.json'), '{"format": "x"}');
    expect(await code(readNetworkFile('bad.json', dir))).toBe('E_FORMAT');
    writeFileSync(join(dir, 'bad.onnx'), 'not a model');
    expect(await code(readNetworkFile('bad.onnx', dir))).toBe('E_FORMAT');
  });
});
