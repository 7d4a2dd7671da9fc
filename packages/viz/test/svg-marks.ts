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

/** Legend entries of the SVG: label → the stroke colour of its symbol (first legend that has the label). */
export function legendColours(svg: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /class="mark-symbol role-legend-symbol"[^>]*><path [^>]*?stroke="(#[0-9A-Fa-f]{6})"[^>]*\/><\/g><g class="mark-text role-legend-label"[^>]*><text[^>]*>([^<]*)<\/text>/g;
  for (const m of svg.matchAll(re)) if (!out.has(m[2]!)) out.set(m[2]!, m[1]!.toUpperCase());
  return out;
}
