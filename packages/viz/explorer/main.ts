/**
 * The explorer page: sliders for μ, m, width and the attack radius, a Train button, and three
 * panels (true f, the trained network, ψ_T) redrawn from each trial the worker returns.
 */
import * as Comlink from 'comlink';
import { colourRegions, REGION_COLOURS, stripesOnGrid, type PlaneGrid } from '../src/boundary/grid.js';
import type { BoundaryTrial, BoundaryTrialParams, ClassifierView } from '../src/boundary/trial.js';
import type { AdversarialPoint, BoundaryPoint } from '../src/charts/decision-boundary.js';
import { CLASS_COLOURS } from '../src/charts/style.js';
import type { ExplorerWorkerApi } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`explorer page: element #${id} is missing`);
  return el as T;
};

// The legend's swatches take the palette owner's colours (style.css reads these properties), so the
// page, its canvases and the report's chart 6 colour the classes alike.
const rgb = (c: readonly number[]) => `rgb(${c.join(', ')})`;
for (const c of CLASS_COLOURS) {
  document.documentElement.style.setProperty(`--class${c.label}-point`, c.hex);
  document.documentElement.style.setProperty(`--class${c.label}-region`, rgb(c.region));
}
document.documentElement.style.setProperty('--region-neither', rgb(REGION_COLOURS.neither));

const sliders = ['mu', 'm', 'width', 'radius'] as const;
const trainButton = $<HTMLButtonElement>('train');
const status = $('status');
let runs = 0;

function setState(state: 'loading' | 'idle' | 'training' | 'done' | 'stale' | 'invalid' | 'error', text: string): void {
  document.body.dataset['state'] = state;
  status.textContent = text;
}

function readParams(): BoundaryTrialParams {
  const v = (id: string) => Number($<HTMLInputElement>(id).value);
  return { mu: v('mu'), m: v('m'), width: v('width'), radius: v('radius'), seed: v('seed') };
}

/** What each control accepts: its label, range and whether it must be a whole number. */
type Control = 'mu' | 'm' | 'width' | 'radius' | 'seed';
const LIMITS: Record<Control, { label: string; min: number; max: number; integer: boolean }> = {
  mu: { label: 'hidden gap μ', min: 0.001, max: 0.03, integer: false },
  m: { label: 'stripes m', min: 2, max: 16, integer: true },
  width: { label: 'hidden width', min: 1, max: 32, integer: true },
  radius: { label: 'attack radius ρ', min: 0.001, max: 0.05, integer: false },
  seed: { label: 'seed', min: 0, max: 4294967295, integer: true },
};

/**
 * The problems of the current inputs, one sentence each naming the control, what it accepts and
 * what it got (empty when every input is valid). Invalid inputs never reach the worker.
 */
function validate(): string[] {
  const problems: string[] = [];
  for (const [id, lim] of Object.entries(LIMITS) as Array<[Control, (typeof LIMITS)[Control]]>) {
    const input = $<HTMLInputElement>(id);
    const raw = input.value.trim();
    const x = Number(raw);
    const kind = lim.integer ? 'a whole number' : 'a number';
    let bad = '';
    if (raw === '' || !Number.isFinite(x)) bad = `${lim.label}: expected ${kind} from ${lim.min} to ${lim.max}, got ${raw === '' ? 'nothing' : JSON.stringify(raw)}`;
    else if (lim.integer && !Number.isInteger(x)) bad = `${lim.label}: expected a whole number, got ${raw}`;
    else if (x < lim.min || x > lim.max) bad = `${lim.label}: expected ${kind} from ${lim.min} to ${lim.max}, got ${raw}`;
    input.setAttribute('aria-invalid', bad ? 'true' : 'false');
    if (bad) problems.push(bad);
  }
  return problems;
}

/** The parameters of the results on screen, to tell when the controls no longer match them. */
let shown: BoundaryTrialParams | undefined;
let busy = false;

/** Marks the results stale when the controls differ from the parameters they were computed with. */
function refreshState(): void {
  const problems = validate();
  const current = readParams();
  const stale = shown !== undefined && (Object.keys(LIMITS) as Control[]).some((k) => current[k] !== shown![k]);
  document.body.dataset['stale'] = String(stale);
  document.body.dataset['invalid'] = String(problems.length > 0);
  trainButton.disabled = busy || problems.length > 0;
  if (busy) return;
  if (problems.length > 0) setState('invalid', `${problems.join('; ')}. The results shown are for the previous parameters.`);
  else if (stale) setState('stale', 'parameters changed: the results below are for the previous ones; press Train to update.');
  else if (shown) setState('done', `trained (run ${runs})`);
}

function showSliderValues(): void {
  for (const id of sliders) $(`${id}-out`).textContent = $<HTMLInputElement>(id).value;
  // The trial uses the data margin δ = 1/(8m), and μ must stay below it.
  const { m, mu } = readParams();
  const delta = 1 / (8 * m);
  $('facts').textContent = `δ = 1/(8m) = ${delta.toFixed(4)}${mu >= delta ? ` — μ must be below δ: the trial will use μ = ${(0.9 * delta).toFixed(4)}` : ''}`;
}

function toPixel(grid: PlaneGrid, canvas: HTMLCanvasElement, x1: number, x2: number): [number, number] {
  const { x1: [a1, b1], x2: [a2, b2] } = grid.extent;
  return [((x1 - a1) / (b1 - a1)) * canvas.width, ((b2 - x2) / (b2 - a2)) * canvas.height];
}

function draw(canvas: HTMLCanvasElement, grid: PlaneGrid, values: ArrayLike<number>, points: BoundaryPoint[], adversarial: AdversarialPoint[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('explorer page: no 2D canvas context');
  const img = new ImageData(colourRegions(values, grid.nx, grid.ny), grid.nx, grid.ny);
  const off = new OffscreenCanvas(grid.nx, grid.ny);
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  ctx.setLineDash([5, 3]);
  ctx.strokeStyle = '#555';
  const [, mid] = toPixel(grid, canvas, 0, 0.5);
  ctx.beginPath();
  ctx.moveTo(0, mid);
  ctx.lineTo(canvas.width, mid);
  ctx.stroke();
  ctx.setLineDash([]);
  for (const a of adversarial) {
    if (!a.from) continue;
    const [x0, y0] = toPixel(grid, canvas, a.from.x1, a.from.x2);
    const [x, y] = toPixel(grid, canvas, a.x1, a.x2);
    ctx.strokeStyle = '#000';
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x, y);
    ctx.stroke();
  }
  for (const p of points) {
    const [x, y] = toPixel(grid, canvas, p.x1, p.x2);
    ctx.fillStyle = CLASS_COLOURS[p.label].hex;
    ctx.strokeStyle = '#000';
    ctx.beginPath();
    if (p.set === 'validation') {
      ctx.moveTo(x, y - 4);
      ctx.lineTo(x + 4, y + 3);
      ctx.lineTo(x - 4, y + 3);
      ctx.closePath();
    } else ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 2;
  for (const a of adversarial) {
    const [x, y] = toPixel(grid, canvas, a.x1, a.x2);
    ctx.beginPath();
    ctx.moveTo(x - 4, y - 4);
    ctx.lineTo(x + 4, y + 4);
    ctx.moveTo(x + 4, y - 4);
    ctx.lineTo(x - 4, y + 4);
    ctx.stroke();
  }
  ctx.lineWidth = 1;
}

const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : '—');

function showNumbers(prefix: 'net' | 'psi', v: ClassifierView): void {
  $(`${prefix}-arch`).textContent = v.arch.join('-');
  $(`${prefix}-acc`).textContent = `${fmt(v.accuracy.train)} / ${fmt(v.accuracy.val)}`;
  $(`${prefix}-robust`).textContent = `${fmt(v.robust.cert)} – ${fmt(v.robust.attack)}`;
  $(`${prefix}-bracket-min`).textContent = `[${fmt(v.bracket.min[0])}, ${fmt(v.bracket.min[1])}]`;
  $(`${prefix}-bracket-median`).textContent = `[${fmt(v.bracket.median[0])}, ${fmt(v.bracket.median[1])}]`;
  $(`${prefix}-adv`).textContent = String(v.adversarial.length);
}

function show(t: BoundaryTrial): void {
  draw($<HTMLCanvasElement>('canvas-f'), t.grid, stripesOnGrid(t.grid, t.params.m), t.points, []);
  draw($<HTMLCanvasElement>('canvas-net'), t.grid, t.network.values, t.points, t.network.adversarial);
  draw($<HTMLCanvasElement>('canvas-psi'), t.grid, t.psi.values, t.points, t.psi.adversarial);
  $('net-caption').textContent = `trained fixed network ${t.network.arch.join('-')}, P(N) = ${t.pieceBound}`;
  $('psi-caption').textContent = `ψ_T, width ${t.psi.arch[1] ?? 0} (from the data)`;
  showNumbers('net', t.network);
  showNumbers('psi', t.psi);
  $('facts').textContent = `m = ${t.params.m}, μ = ${fmt(t.params.mu)}, δ = ${fmt(t.delta)}, |T| = ${t.counts.train}, |V| = ${t.counts.val}, m − 1 ${t.params.m - 1 > t.pieceBound ? '>' : '≤'} P(N) = ${t.pieceBound}; trial took ${t.ms.toFixed(0)} ms in the worker`;
}

async function main(): Promise<void> {
  for (const id of sliders) $(id).addEventListener('input', showSliderValues);
  for (const id of Object.keys(LIMITS)) {
    $(id).addEventListener('input', refreshState);
    $(id).addEventListener('change', refreshState);
  }
  showSliderValues();
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  const api = Comlink.wrap<ExplorerWorkerApi>(worker);
  const info = await api.init();
  $('worker-scope').textContent = `${info.scope} (core loaded in ${info.loadMs.toFixed(0)} ms)`;
  document.body.dataset['workerScope'] = info.scope;
  document.body.dataset['workerInstantiations'] = String(info.instantiations);
  const train = async () => {
    if (validate().length > 0) return refreshState();
    const params = readParams();
    busy = true;
    trainButton.disabled = true;
    setState('training', 'training…');
    try {
      const t = await api.train(params);
      show(t);
      shown = params;
      runs++;
      document.body.dataset['runs'] = String(runs);
      busy = false;
      setState('done', `trained (run ${runs})`);
      refreshState();
    } catch (e) {
      busy = false;
      setState('error', `the trial could not run: ${(e as Error).message}`);
      console.error(e);
    } finally {
      busy = false;
      trainButton.disabled = validate().length > 0;
    }
  };
  trainButton.addEventListener('click', () => void train());
  setState('idle', 'ready');
  trainButton.disabled = false;
  await train();
}

main().catch((e: unknown) => {
  setState('error', `error: ${(e as Error).message}`);
  console.error(e);
});
