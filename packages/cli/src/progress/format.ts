/** Number and duration formatting shared by the progress renderers and the headline. */

/** `1,234,567`: digit grouping that reads the same in every locale and terminal. */
export function groupInt(n: number): string {
  const s = Math.round(n).toString();
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A duration for humans: `0.4 s`, `42 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const totalS = Math.round(s);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
  const totalMin = Math.round(totalS / 60);
  return `${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

/** A rate with sensible precision: `0.52`, `8.3`, `412`, `12,400`. */
export function formatRate(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '0';
  if (r < 1) return r.toFixed(2);
  if (r < 100) return r.toFixed(1);
  return groupInt(r);
}

/** A probability or share as a decimal with 3 places (`0.500`); intervals as `[0.469, 0.531]`. */
export function formatP(p: number): string {
  return Number.isFinite(p) ? p.toFixed(3) : 'n/a';
}

/** `[lo, hi]` with 3 places. */
export function formatInterval(ci: readonly [number, number]): string {
  return `[${formatP(ci[0])}, ${formatP(ci[1])}]`;
}

/** A percentage with no decimals unless small (`42%`, `0.4%`). */
export function formatPercent(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const p = x * 100;
  return p > 0 && p < 1 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/** Compact numbers for parameter values in labels: `0.05`, `1e-6`, `128`. */
export function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2).replace(/\.?0+e/, 'e') : String(Number(v.toPrecision(4)));
  }
  if (Array.isArray(v)) return `[${v.map(formatValue).join(',')}]`;
  return String(v);
}

/** Visible length of a string that may contain ANSI escape sequences. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').length;
}

/** Cuts a plain (escape-free) line to `width` columns, marking the cut with `…`. */
export function fit(line: string, width: number): string {
  if (width <= 1) return '';
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
