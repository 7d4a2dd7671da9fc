/**
 * Redis connection settings for the bullmq backend and worker: URL parsing, secret redaction and a
 * fast preflight check, so that a wrong URL, a wrong password or a Redis that is down fails within
 * seconds with a message that says which — before anything is written.
 */
import type { RedisOptions } from 'ioredis';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './defaults.js';

/** Where Redis is and how to talk to it. */
export interface RedisConnectionOptions {
  /**
   * `redis://[user[:password]@]host[:port][/db]`, or `rediss://…` for TLS. The password is never
   * printed: every message shows the URL with it replaced by `***`.
   */
  url: string;
  /**
   * Extra ioredis options passed through unchanged (for example `tls: { ca, servername }`, or
   * `password` when it should not be in the URL). Values given here win over the URL's.
   */
  redisOptions?: RedisOptions;
}

/** Stable codes of {@link RedisBackendError}. */
export type RedisErrorCode =
  | 'E_REDIS_URL'
  | 'E_REDIS_CONNECT'
  | 'E_REDIS_AUTH'
  | 'E_REDIS_LOST'
  | 'E_REDIS_VERSION';

/**
 * A failure talking to Redis. `unrecoverable` is true when retrying the same settings cannot help
 * (a malformed URL, a wrong password); a refused or lost connection may succeed later.
 */
export class RedisBackendError extends Error {
  override readonly name = 'RedisBackendError';
  /** Stable code for programs and exit-status decisions. */
  readonly code: RedisErrorCode;
  /** True when retrying with the same settings cannot succeed. */
  readonly unrecoverable: boolean;
  constructor(code: RedisErrorCode, message: string, unrecoverable = false) {
    super(message);
    this.code = code;
    this.unrecoverable = unrecoverable;
  }
}

export { DEFAULT_CONNECT_TIMEOUT_MS } from './defaults.js';

/**
 * Parses a Redis URL, throwing `E_REDIS_URL` (with the password redacted) when it is not one.
 * Only `redis:` and `rediss:` are accepted: a typo such as `http://` should not silently connect
 * to a default host.
 */
export function parseRedisUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisBackendError(
      'E_REDIS_URL',
      `redis: "${redactUrl(url)}" is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://… for TLS`,
      true,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisBackendError(
      'E_REDIS_URL',
      `redis: unsupported scheme "${parsed.protocol}" in "${redactUrl(url)}"; expected redis:// or rediss:// (TLS)`,
      true,
    );
  }
  if (parsed.hostname === '') {
    throw new RedisBackendError('E_REDIS_URL', `redis: "${redactUrl(url)}" has no host`, true);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new RedisBackendError(
      'E_REDIS_URL',
      `redis: database "${db}" in "${redactUrl(url)}" must be a non-negative integer`,
      true,
    );
  }
  return parsed;
}

/**
 * Where the credentials of a URL-like string end: the last `@` of its authority, as the WHATWG URL
 * parser (which ioredis uses) reads it — the authority ends at the first `/`, `?` or `#` after
 * `scheme://`. For text that does not parse as a URL at all, the last `@` anywhere before
 * whitespace counts, so a password with a raw `/` in it is still hidden. Returns
 * `[start, end)` of the credentials, or undefined when there are none.
 */
function credentials(url: string): [number, number] | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!scheme) return undefined;
  const start = scheme[0].length;
  let parses = true;
  try {
    new URL(url);
  } catch {
    parses = false;
  }
  let stop = url.length;
  const ws = url.slice(start).search(/\s/);
  if (ws >= 0) stop = start + ws;
  if (parses) {
    const end = url.slice(start).search(/[/?#\\]/);
    if (end >= 0) stop = Math.min(stop, start + end);
  }
  const at = url.lastIndexOf('@', stop - 1);
  return at >= start ? [start, at] : undefined;
}

/**
 * The URL with its password (if any) replaced by `***`; safe to print and to store. Reads the
 * credentials as the Redis client does (the user name ends at the first `:`, the password runs to
 * the last `@` of the authority), so a password containing `@`, `:`, `%` or (encoded) `/` is hidden
 * whole. A user name without a password is hidden too: it may be a token.
 */
export function redactUrl(url: string): string {
  const c = credentials(url);
  if (!c) return url;
  const [start, end] = c;
  const cred = url.slice(start, end);
  const colon = cred.indexOf(':');
  const shown = colon < 0 ? '***' : `${cred.slice(0, colon)}:***`;
  return `${url.slice(0, start)}${shown}${url.slice(end)}`;
}

/** Every form in which a URL's secret may appear in text: raw, percent-decoded (as the client decodes it), and re-encoded. */
export function urlSecrets(url: string): string[] {
  const out = new Set<string>();
  const c = credentials(url);
  if (c) {
    const cred = url.slice(c[0], c[1]);
    const colon = cred.indexOf(':');
    const secret = colon < 0 ? cred : cred.slice(colon + 1);
    if (secret !== '') {
      out.add(secret);
      try {
        out.add(decodeURIComponent(secret));
      } catch {
        // not valid percent-encoding: the raw form is what could leak
      }
    }
  }
  try {
    const p = new URL(url);
    for (const s of [p.password, colonLess(p)]) {
      if (s === '') continue;
      out.add(s);
      try {
        out.add(decodeURIComponent(s));
      } catch {
        // raw form added above
      }
    }
  } catch {
    // handled textually above
  }
  // And encoded, as a client or a log line might re-encode it.
  for (const s of [...out]) out.add(encodeURIComponent(s));
  // Longest first, so a secret containing another is removed whole.
  return [...out].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** The user name of a URL without a password (a bare token), else ''. */
function colonLess(p: URL): string {
  return p.password === '' ? p.username : '';
}

/**
 * Removes every secret of `conn` from `text` (the password in the URL in every encoding, and in
 * `redisOptions`), for messages built from errors thrown by ioredis or BullMQ, which may quote a
 * URL.
 */
export function redact(text: string, conn: RedisConnectionOptions): string {
  const secrets = urlSecrets(conn.url);
  const pw = conn.redisOptions?.password;
  if (typeof pw === 'string' && pw !== '') secrets.unshift(pw);
  let out = text.split(conn.url).join(redactUrl(conn.url));
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/**
 * The options of the long-lived connections (BullMQ's queue, events and worker, and the health
 * check): they reconnect forever with a short backoff, so a Redis restart is survived; how long
 * an outage may last is decided above (the backend's outage limit). The preflight in
 * {@link checkRedis} uses its own connection that gives up at once.
 */
export function bullmqConnection(conn: RedisConnectionOptions): RedisOptions & { url: string } {
  parseRedisUrl(conn.url);
  return {
    url: conn.url,
    ...conn.redisOptions,
    // BullMQ needs this for its blocking connections; commands wait in the offline queue while
    // Redis is away instead of failing after a few retries.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2_000),
  };
}

/** A short description of the location for messages: `redis://user:***@host:port/db`. */
export function describe(conn: RedisConnectionOptions): string {
  return redactUrl(conn.url);
}

/**
 * Connects once, authenticates and pings; throws a {@link RedisBackendError} within `timeoutMs`
 * that says whether the URL, the network or the password is wrong. Resolves the server version.
 */
export async function checkRedis(
  conn: RedisConnectionOptions,
  timeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS,
): Promise<string> {
  parseRedisUrl(conn.url);
  const where = describe(conn);
  // Loaded here, not at the top: the package root must not pull ioredis into processes that only
  // use the local backend (it costs ~30 MB of resident memory there).
  const { Redis } = await import('ioredis');
  const client = new Redis(conn.url, {
    ...conn.redisOptions,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    reconnectOnError: () => false,
  });
  // ioredis also emits errors as events; without a listener Node would print them unredacted.
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RedisBackendError(
            'E_REDIS_CONNECT',
            `cannot reach Redis at ${where}: no answer within ${timeoutMs} ms` +
              (lastError ? ` (${redact(lastError.message, conn)})` : '') +
              '; check the host and port, that redis-server is running, and for rediss:// that it serves TLS',
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const info = await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
        return client.info('server');
      })(),
      timeout,
    ]);
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    const major = Number.parseInt(version, 10);
    if (Number.isFinite(major) && major < 5) {
      throw new RedisBackendError(
        'E_REDIS_VERSION',
        `Redis at ${where} is version ${version}; BullMQ needs Redis 5 or newer (6.2+ recommended)`,
        true,
      );
    }
    return version;
  } catch (e) {
    // ioredis rejects connect() with a generic "Connection is closed"; the cause was emitted first.
    const generic = e instanceof Error && /Connection is closed/i.test(e.message);
    throw classify(generic && lastError !== undefined ? lastError : e, conn);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** Turns an ioredis/network error into a {@link RedisBackendError} with a redacted message. */
export function classify(e: unknown, conn: RedisConnectionOptions): RedisBackendError {
  if (e instanceof RedisBackendError) return e;
  const where = describe(conn);
  const err = e as { message?: string; code?: string };
  const msg = redact(String(err.message ?? e), conn);
  const code = err.code ?? '';
  if (/WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return new RedisBackendError(
      'E_REDIS_AUTH',
      `Redis at ${where} rejected the credentials: wrong user name or password (${msg})`,
      true,
    );
  }
  if (/NOAUTH|Authentication required/i.test(msg)) {
    return new RedisBackendError(
      'E_REDIS_AUTH',
      `Redis at ${where} requires a password: put it in the URL (redis://:PASSWORD@host:port) or in redisOptions.password`,
      true,
    );
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) {
    return new RedisBackendError(
      'E_REDIS_CONNECT',
      `cannot connect to Redis at ${where}: connection refused; is redis-server running and listening on that port?`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(msg)) {
    return new RedisBackendError('E_REDIS_CONNECT', `cannot connect to Redis at ${where}: unknown host (${msg})`);
  }
  if (/certificate|SSL|TLS|handshake|EPROTO/i.test(msg) || code.startsWith('ERR_TLS') || code === 'EPROTO') {
    return new RedisBackendError(
      'E_REDIS_CONNECT',
      `cannot connect to Redis at ${where}: TLS failed (${msg}); for a private CA pass its certificate ` +
        '(redisOptions.tls.ca, or NODE_EXTRA_CA_CERTS=ca.pem), and use rediss:// only for a TLS port',
    );
  }
  return new RedisBackendError('E_REDIS_CONNECT', `cannot connect to Redis at ${where}: ${msg}`);
}
