import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32, inflateSync } from 'node:zlib';
import { colourRegions, regionOf, encodePng, gridInputs, headlines, stripesExtent, stripesLabel, REGION_COLOURS } from '../src/index.js';
import { esc } from '../src/report/html.js';
import { findRunDirs } from '../src/report/load.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instabilityComplete, noncomputabilityComplete, noncomputabilityPartial } from './fixtures/summaries.js';

/** Decode a PNG written by `encodePng` (one IDAT, filter 0) and check every chunk's CRC. */
function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (off < png.length) {
    const len = v.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const data = png.subarray(off + 8, off + 8 + len);
    expect(v.getUint32(off + 8 + len)).toBe(crc32(png.subarray(off + 4, off + 8 + len)));
    if (type === 'IHDR') {
      width = v.getUint32(off + 8);
      height = v.getUint32(off + 12);
      expect([...data.subarray(8)]).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, rgba };
}

describe('encodePng', () => {
  it('round-trips any small RGBA image with valid chunk CRCs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.infiniteStream(fc.integer({ min: 0, max: 255 })), (w, h, bytes) => {
        const rgba = Uint8Array.from(bytes.take(w * h * 4));
        const out = decodePng(encodePng(rgba, w, h));
        expect(out.width).toBe(w);
        expect(out.height).toBe(h);
        expect(out.rgba).toEqual(rgba);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects sizes that do not match the pixels', () => {
    expect(() => encodePng(new Uint8Array(12), 2, 2)).toThrow(/expected 16 bytes/);
    expect(() => encodePng(new Uint8Array(0), 0, 1)).toThrow(/integers in \[1, 16384\]/);
  });
});

describe('grid and colours', () => {
  it('gridInputs puts pixel centres row-major from the top, other coordinates at 1/2', () => {
    const grid = { extent: { x1: [0, 1] as [number, number], x2: [0.4, 0.6] as [number, number] }, nx: 4, ny: 2 };
    const xs = gridInputs(grid, 3);
    expect(xs.length).toBe(4 * 2 * 3);
    expect([...xs.subarray(0, 3)]).toEqual([0.125, 0.55, 0.5]);
    expect([...xs.subarray(21, 24)].map((v) => Number(v.toFixed(12)))).toEqual([0.875, 0.45, 0.5]);
  });

  it('stripesLabel is ⌊m x₁⌋ mod 2 with x₁ = 1 in the last stripe', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), (m, x1) => {
        const k = Math.min(m - 1, Math.floor(m * x1));
        expect(stripesLabel(m, x1)).toBe(k % 2);
      }),
    );
  });

  it('colourRegions colours by class, marks the boundary and flags non-finite outputs', () => {
    // 4 × 2 pixels:  0   0   1   2
    //                0  NaN  1   2
    const rgba = colourRegions([0, 0, 1, 2, 0, NaN, 1, 2], 4, 2);
    const px = (k: number) => [...rgba.subarray(4 * k, 4 * k + 3)];
    expect(px(0)).toEqual([...REGION_COLOURS.zero]);
    expect(px(1)).toEqual([...REGION_COLOURS.edge]); // its right neighbour is class 1
    expect(px(2)).toEqual([...REGION_COLOURS.edge]); // its right neighbour is "neither"
    expect(px(3)).toEqual([...REGION_COLOURS.neither]);
    expect(px(5)).toEqual([...REGION_COLOURS.invalid]);
    expect(px(6)).toEqual([...REGION_COLOURS.edge]);
    expect(px(7)).toEqual([...REGION_COLOURS.neither]);
  });

  it('regionOf follows |φ − label| < 1/2', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), (v) => {
        const r = regionOf(v);
        if (r === 0) expect(Math.abs(v)).toBeLessThan(0.5);
        else if (r === 1) expect(Math.abs(v - 1)).toBeLessThanOrEqual(0.5);
        else expect(Math.abs(v) >= 0.5 && Math.abs(v - 1) >= 0.5).toBe(true);
      }),
    );
    expect(regionOf(Infinity)).toBe(-1);
    expect(() => colourRegions([0], 2, 2)).toThrow(/expected 4 values/);
  });

  it('stripesExtent rejects a gap outside (0, 1/2)', () => {
    expect(stripesExtent(0.01)).toEqual({ x1: [0, 1], x2: [0.46, 0.54] });
    expect(() => stripesExtent(0)).toThrow(/mu must be in/);
  });
});

describe('esc', () => {
  it('leaves no markup characters and round-trips through an HTML parser-like unescape', () => {
    const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = esc(s);
        expect(e).not.toMatch(/[<>"']/);
        expect(unescape(e)).toBe(s);
      }),
    );
  });
});

describe('headlines', () => {
  it('reports the largest hidden min(p⁺, p⁻), the paired sum, reads above K and the jump', () => {
    const h = headlines(noncomputabilityComplete());
    expect(h.map((x) => x.label)).toEqual([
      'Largest min(p⁺, p⁻) with the sign hidden (readBits ≤ K, ε < ε_B)',
      'Largest p̂⁺ + p̂⁻ with the sign hidden (ε < ε_B)',
      'Best min(p⁺, p⁻) reading more than K bits (ε < ε_B)',
      'Best min(p⁺, p⁻) at ε ≥ ε_B, sign still hidden',
    ]);
    // In the fixture, coin reaches min(0.5, 0.49) = 0.49 where the sign is hidden and nothing does better.
    expect(h[0]!.value.startsWith('0.490 ')).toBe(true);
    expect(h[0]!.where).toMatch(/^coin; K = \d+, readBits = \d+, ε = 0\.\d+; 200 trials per sign$/);
    expect(h[1]!.theory).toMatch(/^paired design: the counts obey k⁺ \+ k⁻ ≤ trials exactly, seed by seed \(here \d+ \+ \d+ of 200\); the interval is for the probabilities/);
    // exact-read reads more than K + 1 bits in the fixture and succeeds on both inputs.
    expect(h[2]!.where).toMatch(/^exact-read; /);
    expect(h[3]!.value.startsWith('1.000 ')).toBe(true);
  });

  it('leaves out cells without trials, and says how many', () => {
    const s = noncomputabilityPartial();
    expect(headlines(s)).toHaveLength(5);
    expect(headlines(s).at(-1)).toMatchObject({ label: 'Cells left out of these numbers', value: '2' });
    for (const c of s.cells) c.trials = 0;
    expect(headlines(s).map((x) => x.label)).toEqual(['Cells left out of these numbers']);
  });

  it('gives each group of networks its own card, shares as percentages with the counts', () => {
    const h = headlines(instabilityComplete());
    expect(h[0]!.label).toBe('Trained fixed architecture, m − 1 > P(N): accurate networks unstable at radius μ');
    expect(h[0]!.value).toMatch(/^100% \(\d+ of \d+\)$/);
    expect(h[0]!.theory).toBe('F3 predicts all of them (every one whose data cover every stripe)');
    for (const card of h) expect(card.value).not.toMatch(/^[01](\.\d+)? \(/);
  });
});

describe('findRunDirs', () => {
  it('follows a paradox-runs.json manifest in its order, else sorts sub-folders by name', () => {
    const root = mkdtempSync(join(tmpdir(), 'paradox-dirs-'));
    for (const sub of ['a-noncomputability', 'b-instability', 'c-not-a-run']) mkdirSync(join(root, sub));
    writeFileSync(join(root, 'a-noncomputability', 'summary.json'), '{}');
    writeFileSync(join(root, 'b-instability', 'summary.json'), '{}');
    expect(findRunDirs(root)).toEqual([join(root, 'a-noncomputability'), join(root, 'b-instability')]);
    writeFileSync(
      join(root, 'paradox-runs.json'),
      JSON.stringify({ format: 'paradox-runs/1', source: 'demo', runs: [{ name: 'i', subdir: 'b-instability' }, { name: 'n', subdir: 'a-noncomputability' }] }),
    );
    expect(findRunDirs(root)).toEqual([join(root, 'b-instability'), join(root, 'a-noncomputability')]);
    expect(findRunDirs(join(root, 'b-instability'))).toEqual([join(root, 'b-instability')]);
    expect(() => findRunDirs(join(root, 'c-not-a-run'))).toThrow(/no summary\.json here or in any sub-folder/);
    expect(() => findRunDirs(join(root, 'missing'))).toThrow(/not a directory/);
    rmSync(root, { recursive: true, force: true });
  });
});
