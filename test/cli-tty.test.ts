/**
 * Progress on a real pseudo-terminal: `paradox run` under util-linux `script` (part of every
 * Debian/Ubuntu base system, so no extra package) draws a live bar with trials/s and ETA, and
 * leaves the screen clean: no bar left behind, cursor shown again. The raw byte stream is replayed
 * through a minimal terminal model to see the final screen a user would see.
 */
import { spawn, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, slowSpec, specDir, userEnv } from './cli-helpers.js';

const ESC = '\x1b';

/** Replays the escape sequences the CLI uses (cursor up, clear line, CR, LF) onto a line buffer. */
function finalScreen(raw: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === ESC && chars[i + 1] === '[') {
      let j = i + 2;
      let params = '';
      while (j < chars.length && !/[A-Za-z]/.test(chars[j]!)) params += chars[j++];
      const cmd = chars[j];
      if (cmd === 'A') row = Math.max(0, row - Number(params || 1));
      else if (cmd === 'K' && params === '2') lines[row] = [];
      else if (cmd === 'h' || cmd === 'l') {
        /* cursor visibility: checked on the raw stream */
      } else throw new Error(`unexpected escape sequence ESC[${params}${cmd}`);
      i = j;
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row += 1;
      col = 0;
      while (lines.length <= row) lines.push([]);
    } else {
      const line = (lines[row] ??= []);
      while (line.length < col) line.push(' ');
      line[col++] = ch;
    }
  }
  return lines.map((l) => l.join('').trimEnd());
}

let dir: string;
beforeAll(() => {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error('util-linux `script` is needed for the pseudo-terminal test (Debian package bsdutils)');
  dir = specDir({ 'small.yaml': slowSpec({ name: 'small', seed: 5, epsilons: [0.1, 0.45, 0.5], trials: 150, batch: 10 }) });
});

describe('progress on a terminal', () => {
  it('shows a bar with trials/s and ETA, and ends with a clean screen and a visible cursor', () => {
    const cmd = `stty cols 100 rows 50; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run small.yaml --out tty-run`;
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'], env: userEnv() });
    expect(r.status, r.stderr).toBe(0);
    const raw = r.stdout;

    // A live frame: the bar part-filled, the counters, the rate and the ETA, and a cell in flight.
    expect(raw).toMatch(/small \[█+░+\] +\d+%/);
    expect(raw).toMatch(/\d+\/4 cells · [\d,]+\/600 trials · [\d.,]+ trials\/s · ETA [\d.]+ s/);
    expect(raw).toMatch(/▸ algorithm=(gd|adam) K=8 readBits=(4|16) {2}\d+\/150/);
    // Refreshed in place, not one line per update: every frame starts by erasing the previous one.
    expect(raw).toContain(`${ESC}[1A${ESC}[2K`);

    // The cursor is hidden while drawing and shown again before the run ends.
    const hides = raw.split(`${ESC}[?25l`).length - 1;
    const shows = raw.split(`${ESC}[?25h`).length - 1;
    expect(hides).toBeGreaterThanOrEqual(1);
    expect(shows).toBe(hides);
    expect(raw.lastIndexOf(`${ESC}[?25h`)).toBeGreaterThan(raw.lastIndexOf(`${ESC}[?25l`));

    // What is left on the screen: the start and finish lines and the headline, no bar remnants.
    const screen = finalScreen(raw).filter((l) => l.length > 0);
    for (const l of screen) {
      expect(l).not.toMatch(/[█░▸]/);
      expect(l).not.toContain('trials/s · ETA');
    }
    expect(screen[0]).toMatch(/^Running small: noncomputability, 4 cells, 600 trials, local backend with \d+ workers → tty-run$/);
    expect(screen[1]).toMatch(/^Finished small: 600 trials in [\d.]+ s \([\d,.]+ trials\/s\)\.$/);
    expect(screen[2]).toBe('── small (noncomputability) ──');
    expect(screen.at(-1)).toMatch(/^(Report: tty-run\/report\.html|Summary: tty-run\/summary\.json and summary\.csv.*)$/);
  });

  it('Ctrl-C typed on the terminal stops cleanly: cursor shown, no bar left, an incomplete headline with the resume command', async () => {
    const cmd = `stty cols 100 rows 50; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run small.yaml --out tty-stopped`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'], env: userEnv() });
    let raw = '';
    child.stdout.on('data', (d: Buffer) => (raw += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Type Ctrl-C once a batch has been stored: the terminal turns it into SIGINT for paradox.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/small \[█+░*\]/.test(raw)) {
          clearInterval(timer);
          child.stdin.write('\x03');
          resolve();
        }
      }, 20);
      void exit.then(() => reject(new Error(`finished before Ctrl-C:\n${raw}`)));
    });
    expect(await exit).toBe(130);
    const shows = raw.split(`${ESC}[?25h`).length - 1;
    expect(shows).toBeGreaterThanOrEqual(raw.split(`${ESC}[?25l`).length - 1);
    expect(raw.lastIndexOf(`${ESC}[?25h`)).toBeGreaterThan(raw.lastIndexOf(`${ESC}[?25l`));
    const screen = finalScreen(raw).filter((l) => l.length > 0 && l !== '^C');
    for (const l of screen) expect(l).not.toMatch(/[█░▸]/);
    expect(screen).toContain('Stopping after the batches in flight (press Ctrl-C again to quit now)…');
    expect(screen.some((l) => /^Stopped small: [\d,]+ trials in /.test(l))).toBe(true);
    expect(screen.some((l) => /^── small \(noncomputability\) — INCOMPLETE: \d of 4 cells finished ──$/.test(l))).toBe(true);
    expect(screen.at(-1)).toBe('Resume with: paradox resume tty-stopped');
  });
});
