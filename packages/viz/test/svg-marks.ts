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
