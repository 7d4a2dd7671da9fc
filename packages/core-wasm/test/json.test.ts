import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreError, createNetwork, NETWORK_FORMAT, networkFromJSON, networkToJSON } from '../src/index.js';

function formatError(doc: unknown): CoreError {
  try {
    networkFromJSON(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    expect((e as CoreError).code).toBe('E_FORMAT');
    return e as CoreError;
  }
  throw new Error('expected an E_FORMAT error');
}

describe('network JSON format', () => {
  it('round-trips every double exactly, through a string', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 90, maxLength: 90 }),
        (dims, bias, values) => {
          const n = dims.slice(1).reduce((a, w, i) => a + w * dims[i]! + (bias ? w : 0), 0);
          const net = createNetwork(dims, bias, values.slice(0, n));
          const text = JSON.stringify(networkToJSON(net));
          const back = networkFromJSON(text);
          expect(back.dims).toEqual(dims);
          expect(back.bias).toBe(bias);
          expect(Array.from(back.params).map((v) => Object.is(v, -0) ? 0 : v)).toEqual(Array.from(net.params).map((v) => Object.is(v, -0) ? 0 : v));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('writes the versioned document', () => {
    const doc = networkToJSON(createNetwork([1, 1], false, [2]));
    expect(doc).toEqual({ format: NETWORK_FORMAT, dims: [1, 1], bias: false, params: [2] });
    expect(NETWORK_FORMAT).toBe('paradox-network/1');
  });

  it('names the offending field in every error', () => {
    const ok = { format: 'paradox-network/1', dims: [2, 1], bias: true, params: [1, 2, 3] };
    expect(networkFromJSON(ok).params.length).toBe(3);
    expect(formatError('{').message).toMatch(/^network: not valid JSON/);
    expect(formatError([]).message).toMatch(/^network: expected an object/);
    expect(formatError({ ...ok, format: 'paradox-network/2' }).message).toMatch(/^network.format: expected "paradox-network\/1", got "paradox-network\/2"/);
    expect(formatError({ ...ok, dims: [2, 0] }).message).toMatch(/network.dims\[1\]: expected an integer width ≥ 1, got 0/);
    expect(formatError({ ...ok, dims: 'x' }).message).toMatch(/network.dims: expected an array/);
    expect(formatError({ ...ok, bias: 1 }).message).toMatch(/^network.bias: expected true or false, got 1/);
    expect(formatError({ ...ok, params: [1, 2] }).message).toMatch(/^network.params: expected 3 numbers for dims \[2, 1\] with bias=true, got 2/);
    expect(formatError({ ...ok, params: [1, '2', 3] }).message).toMatch(/^network.params\[1\]: expected a finite number, got "2"/);
    expect(formatError({ ...ok, params: [1, null, 3] }).message).toMatch(/^network.params\[1\]/);
  });
});
