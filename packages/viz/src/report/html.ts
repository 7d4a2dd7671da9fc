/**
 * HTML building blocks for the report. Every string that may come from a spec or a summary goes
 * through `esc` (text and attribute values alike), so a cell named `<script>` prints as text.
 */

/** Escape text for HTML element content and double-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * An integer with thousands separators, exactly as `x.toLocaleString('en-US')` writes it
 * (`12,345`, `-0`), without `Intl`: the first locale-aware call of a process initialises ICU's
 * number formatting, ~30 ms of CPU in every `paradox run` that writes a report. Non-integers and
 * integers of 1e15 or more go to `toLocaleString` itself.
 */
export function groupDigits(x: number): string {
  if (!Number.isInteger(x) || Math.abs(x) >= 1e15) return x.toLocaleString('en-US');
  const digits = String(Math.abs(x)).replace(/\B(?=(\d{3})+$)/g, ',');
  return x < 0 || Object.is(x, -0) ? `-${digits}` : digits;
}

/** A number for a table: 3 significant digits, `—` for missing. */
export function num(x: number | undefined | null, digits = 3): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return groupDigits(x);
  return Number(x.toPrecision(digits)).toString();
}

/** `0.482 [0.41, 0.55]`. */
export function withInterval(p: number, ci: readonly [number, number]): string {
  return `${num(p)} <span class="ci">[${num(ci[0])}, ${num(ci[1])}]</span>`;
}

/** A table from header labels and rows of pre-escaped cell HTML. */
export function table(headers: string[], rows: string[][], caption?: string, className = ''): string {
  const head = `<tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  const cap = caption ? `<caption>${esc(caption)}</caption>` : '';
  return `<div class="table-wrap"><table class="${esc(className)}">${cap}<thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A definition list of label → pre-escaped value HTML. */
export function facts(entries: [string, string][]): string {
  return `<dl class="facts">${entries.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/**
 * The report's stylesheet (inline: the report loads nothing). Layout rules are general, not per
 * section, so any section fits a 1280 px window and a 390 px phone without the page scrolling
 * sideways: long words (run names, paths, hashes) wrap anywhere, images and grids shrink to their
 * column, and wide tables and code scroll inside their own box (`.table-wrap`, `pre`).
 */
export const REPORT_CSS = `
:root { --fg: #1b1b1b; --muted: #5a5a5a; --line: #d8d8d8; --accent: #0072B2; --warn: #D55E00; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; line-height: 1.45; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 64px; overflow-wrap: anywhere; }
main > *, section > * { max-width: 100%; }
img, svg, canvas, video { max-width: 100%; height: auto; }
code { overflow-wrap: anywhere; }
@media (max-width: 600px) { main { padding: 16px 14px 48px; } h1 { font-size: 1.4rem; } }
header.report { border-bottom: 2px solid var(--fg); margin-bottom: 18px; }
h1 { font-size: 1.7rem; margin: 0 0 6px; }
h2 { font-size: 1.3rem; margin: 36px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.1rem; margin: 24px 0 6px; }
.muted, .ci { color: var(--muted); }
.ci { font-size: 0.85em; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem; vertical-align: middle; border: 1px solid currentColor; }
.badge.complete { color: #009E73; }
.badge.partial { color: var(--warn); }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(260px, 100%), 1fr)); gap: 12px; margin: 12px 0; padding: 0; list-style: none; }
.headline li { border: 1px solid var(--line); border-left: 4px solid var(--accent); padding: 10px 12px; }
.headline .value { font-size: 1.35rem; font-weight: bold; display: block; }
.headline .theory { color: var(--muted); font-size: 0.85rem; }
figure.chart { margin: 18px 0 28px; }
figure.chart img { max-width: 100%; height: auto; border: 1px solid var(--line); background: white; }
figure.chart figcaption { max-width: 900px; margin-top: 6px; }
figure.chart .missing { color: var(--warn); }
.table-wrap { overflow-x: auto; max-width: 100%; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 0.85rem; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: right; white-space: nowrap; overflow-wrap: normal; }
th { background: #f3f3f3; position: sticky; top: 0; }
td:first-child, th:first-child { text-align: left; }
tr.partial td { color: var(--warn); }
caption { text-align: left; font-weight: bold; padding: 4px 0; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: minmax(0, max-content) minmax(0, 1fr); gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
pre { overflow-x: auto; max-width: 100%; overflow-wrap: normal; }
pre.spec { background: #f6f6f6; border: 1px solid var(--line); padding: 10px; font-size: 0.8rem; max-height: 480px; }
nav.toc ul { columns: 2 16em; }
@media print { pre.spec { max-height: none; } }
`;
