/** Counting marks in Vega's SVG output: each named mark becomes `<g class="mark-TYPE role-mark NAME_marks">`. */

const ITEM_TAG: Record<string, string> = { symbol: 'path', rect: 'path', rule: 'line', text: 'text', image: 'image', line: 'path', area: 'path' };

/** Number of items drawn by the mark named `name` (summed over facets). */
export function countMarks(svg: string, name: string): number {
  let total = 0;
  // An empty mark is a self-closing `<g …/>`; a non-empty one holds its items up to the first `</g>`
  // (item elements of non-group marks are never groups themselves).
  const re = new RegExp(`<g class="mark-(\\w+) role-mark ${name}_marks"[^>]*?(/?)>`, 'g');
  for (const m of svg.matchAll(re)) {
    if (m[2] === '/') continue;
    const start = m.index + m[0].length;
    const body = svg.slice(start, svg.indexOf('</g>', start));
    const tag = ITEM_TAG[m[1]!] ?? 'path';
    total += (body.match(new RegExp(`<${tag}[\\s>/]`, 'g')) ?? []).length;
  }
  return total;
}

/** Every text string drawn in the SVG (axis titles, labels, legends). */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/gs)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
}

/**
 * Legend entries whose colour carries a meaning: label → the colour of its symbol, upper case (first
 * legend that has the label). Vega says in each legend's aria-label which channels it shows ("Symbol
 * legend titled 'data point' for fill color with 2 values: …"); a legend for fill colour gives the
 * symbol's fill, one for stroke colour only its stroke, and a legend for neither (shape, opacity,
 * dash) is left out: its symbols' colour is a fixed default that means nothing. (Reading the stroke
 * alone missed filled points under a fixed black outline, whose class is their fill.)
 */
export function legendColours(svg: string): Map<string, string> {
  const out = new Map<string, string>();
  const legends = [...svg.matchAll(/<g class="mark-group role-legend"[^>]*>/g)];
  for (const [i, legend] of legends.entries()) {
    const described = / for ([A-Za-z ,]+?) with \d+ values?:/.exec(legend[0]);
    if (described === null) throw new Error(`legendColours: a legend without the channels it shows: ${legend[0]}`);
    const channels = described[1]!.split(/, | and /);
    const attr = channels.includes('fill color') ? 'fill' : channels.includes('stroke color') ? 'stroke' : undefined;
    if (attr === undefined) continue;
    const body = svg.slice(legend.index, legends[i + 1]?.index ?? svg.length);
    const entry = /class="mark-symbol role-legend-symbol"[^>]*><path ([^>]*?)\/><\/g><g class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)<\/text>/g;
    for (const m of body.matchAll(entry)) {
      const colour = new RegExp(` ${attr}="([^"]+)"`).exec(m[1]!)?.[1];
      if (colour !== undefined && !out.has(m[2]!)) out.set(m[2]!, colour.toUpperCase());
    }
  }
  return out;
}
