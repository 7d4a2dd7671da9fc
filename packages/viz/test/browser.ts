/**
 * Test bootstrap for the real-browser tests: Debian's Chromium driven by playwright-core, never a
 * downloaded browser. Installs the package when it is missing and we are root (as on CI); otherwise
 * fails with the command to run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Screenshots and other artifacts of the browser tests (ignored by git, kept by CI). */
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'artifacts', 'viz');

/** Make sure Debian's chromium is installed, installing it when root. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    execFileSync('flock', ['/tmp/paradox-apt.lock', 'sh', '-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core'], {
      stdio: 'inherit',
      timeout: 600_000,
    });
    if (existsSync(CHROMIUM)) return CHROMIUM;
  }
  throw new Error(`the browser tests need Debian's Chromium at ${CHROMIUM}; install it with: sudo apt-get install chromium`);
}

/** Launch headless Chromium with the network-quiet flags this machine needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = ensureChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  });
}
