/**
 * A real `redis-server` for tests: started on a free loopback port in a temporary directory,
 * stopped (and the directory removed) afterwards. Never a mock: the distributed backend's
 * guarantees (stalled re-delivery, persistence across a restart) are properties of Redis itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link startRedis}. */
export interface RedisServerOptions {
  /** Require this password (`requirepass`); the URL then carries it. */
  password?: string;
  /**
   * Persist every write to an append-only file (`appendfsync always`), so that a stop and
   * restart keeps the queue exactly. Default true.
   */
  persistent?: boolean;
  /**
   * Serve TLS only (a self-signed certificate for 127.0.0.1 made with openssl); the URL is then
   * `rediss://…` and `ca` holds the certificate clients must trust.
   */
  tls?: boolean;
}

/** A running test Redis server. */
export interface RedisServer {
  /** `redis://[:password@]127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The temporary data directory (AOF lives here). */
  readonly dir: string;
  /** With `tls`: the server's self-signed certificate (PEM), to pass as `tls.ca`. */
  readonly ca?: string;
  /** Whether the server process is currently up. */
  readonly running: boolean;
  /** Graceful stop (SIGTERM: Redis flushes its AOF and exits). Keeps the data directory. */
  stop(): Promise<void>;
  /** SIGKILL: no goodbye, no final flush (what a crash or an OOM kill does). */
  crash(): Promise<void>;
  /** SIGSTOP: the server keeps its connections open and answers nothing (a hung host); `crash` ends it. */
  freeze(): void;
  /** Start again on the same port and directory (reloads the AOF). */
  restart(): Promise<void>;
  /** Stop and delete the data directory. */
  dispose(): Promise<void>;
}

const DEFAULTS = { persistent: true, tls: false } as const;

/**
 * Path of `redis-server`, installing Debian's package with apt-get when it is missing and we are
 * root; otherwise throws an error that says what to install.
 */
export function ensureRedisServer(): string {
  const found = which('redis-server');
  if (found !== undefined) return found;
  if (process.getuid?.() === 0) {
    // The lock keeps parallel installers (other test files, other engineers) from fighting over dpkg.
    const script =
      'export DEBIAN_FRONTEND=noninteractive; command -v redis-server >/dev/null || ' +
      '(apt-get update -qq && apt-get install -y -qq --no-install-recommends redis-server >/dev/null)';
    const hasFlock = which('flock') !== undefined;
    const r = hasFlock
      ? spawnSync('flock', ['/tmp/paradox-apt.lock', 'sh', '-c', script], { stdio: 'inherit' })
      : spawnSync('sh', ['-c', script], { stdio: 'inherit' });
    const after = which('redis-server');
    if (r.status === 0 && after !== undefined) return after;
  }
  throw new Error(
    'redis-server is not installed: the bullmq tests need a real Redis. ' +
      'Install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS).',
  );
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out !== '' ? out : undefined;
}

/**
 * Waits for `promise` at most `ms` milliseconds: its value, or in its place an Error `no WHAT within
 * N s` once the time is up (the timer is cleared either way). For the Redis outage tests: a backend
 * that never enforces its outage limit then fails its own test, which can still restart Redis for
 * the tests after it, instead of hanging until the test timeout with Redis left stopped. `promise`
 * should not reject (catch it into a value first); a rejection is passed on.
 */
export async function settleWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T | Error> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error(`no ${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends a raw `PING` and resolves true when Redis answers at all (PONG or an auth error). */
function ping(port: number, ca?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = ca === undefined ? new Socket() : tlsConnect({ port, host: '127.0.0.1', ca }, () => s.write('PING\r\n'));
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d: Buffer) => done(/^(\+PONG|-NOAUTH|-WRONGPASS)/.test(d.toString())));
    if (ca === undefined) s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
  });
}

/** A self-signed certificate and key for 127.0.0.1 in `dir`; returns the certificate PEM. */
function selfSignedCertificate(dir: string): string {
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl could not make a test certificate (is openssl installed?): ${r.stderr}`);
  return readFileSync(join(dir, 'cert.pem'), 'utf8');
}

/** Starts a fresh `redis-server` and resolves once it answers `PING`. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const opts = { ...DEFAULTS, ...options };
  const bin = ensureRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'paradox-redis-'));
  let port = await freePort();
  let proc: ChildProcess | undefined;
  let log = '';
  const ca = opts.tls ? selfSignedCertificate(dir) : undefined;

  const args = (): string[] => {
    const a = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no'];
    if (opts.tls) {
      a.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', join(dir, 'cert.pem'));
      a.push('--tls-key-file', join(dir, 'key.pem'), '--tls-auth-clients', 'no');
    } else {
      a.push('--port', String(port));
    }
    a.push('--appendonly', opts.persistent ? 'yes' : 'no');
    if (opts.persistent) a.push('--appendfsync', 'always');
    if (opts.password !== undefined) a.push('--requirepass', opts.password);
    return a;
  };

  const launch = async (): Promise<void> => {
    log = '';
    const p = spawn(bin, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    p.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (p.exitCode !== null || p.signalCode !== null) break;
      if (await ping(port, ca)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    p.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port}:\n${log}`);
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const p = proc;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  // A port taken between freePort() and the bind is the one expected failure: retry on another.
  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (e) {
      if (attempt >= 2 || !/Address already in use/.test(log)) throw e;
      port = await freePort();
    }
  }

  const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    url: `${opts.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    port,
    dir,
    ...(ca !== undefined ? { ca } : {}),
    get running() {
      return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
    },
    stop: () => stop(),
    crash: () => stop('SIGKILL'),
    freeze: () => {
      proc?.kill('SIGSTOP');
    },
    restart: async () => {
      await stop();
      await launch();
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
