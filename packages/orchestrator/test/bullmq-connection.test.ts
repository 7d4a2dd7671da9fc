import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRedis,
  parseRedisUrl,
  redact,
  redactUrl,
  RedisBackendError,
} from '../src/backends/bullmq/connection.js';
import { createBullmqBackend } from '../src/backends/bullmq/backend.js';
import { startWorker } from '../src/backends/bullmq/worker.js';
import { batchKey, PROTOCOL_VERSION, type BatchTask } from '../src/worker/protocol.js';
import { OrchestratorError } from '../src/errors.js';
import { ECHO_TASK } from './helpers/bullmq-workers.js';
import { freePort, startRedis, type RedisServer } from './helpers/redis.js';

const PASSWORD = 's3cr3t-pa55';

describe('redis URL handling', () => {
  it('redacts the password but keeps user, host, port and db', () => {
    expect(redactUrl('redis://alice:hunter2@db.example:6380/3')).toBe('redis://alice:***@db.example:6380/3');
    expect(redactUrl('rediss://:hunter2@db.example')).toBe('rediss://:***@db.example');
    expect(redactUrl('redis://tokenonly@h')).toBe('redis://***@h');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('reads the credentials as the Redis client does: passwords with @ : / % are hidden whole', () => {
    const pw = 'Pa@ss:w/o%rd77';
    const enc = encodeURIComponent(pw);
    // The URL that connects (percent-encoded), and the raw forms people type.
    expect(redactUrl(`redis://:${enc}@127.0.0.1:6379`)).toBe('redis://:***@127.0.0.1:6379');
    expect(redactUrl('redis://:Pa@ss-Word77@host')).toBe('redis://:***@host');
    expect(redactUrl(`redis://u:${pw}@host:1/0`)).toBe('redis://u:***@host:1/0');
    expect(redactUrl('rediss://:p%2Fa@h/2?x=y@z')).toBe('rediss://:***@h/2?x=y@z');
    // ioredis agrees on where the password ends.
    expect(decodeURIComponent(new URL(`redis://:${enc}@127.0.0.1:6379`).password)).toBe(pw);
    expect(decodeURIComponent(new URL('redis://:Pa@ss-Word77@host').password)).toBe('Pa@ss-Word77');
    for (const url of [`redis://:${enc}@h:1`, `redis://u:${pw}@h:1`, 'redis://:Pa@ss-Word77@host']) {
      const secret = url.includes('Word77') ? 'Pa@ss-Word77' : pw;
      const text = `cannot connect to ${url}: WRONGPASS for ${secret} (${encodeURIComponent(secret)})`;
      const out = redact(text, { url });
      expect(out).not.toContain(secret);
      expect(out).not.toContain(encodeURIComponent(secret));
      expect(out).not.toContain('Word77');
      expect(out).not.toContain('o%rd');
    }
  });

  it('removes every copy of the secret from arbitrary text', () => {
    const conn = { url: 'redis://u:p%40ss@h:1', redisOptions: { password: 'other' } };
    const text = `failed redis://u:p%40ss@h:1 with p@ss and other`;
    const out = redact(text, conn);
    expect(out).not.toContain('p@ss');
    expect(out).not.toContain('p%40ss');
    expect(out).not.toContain('other');
    expect(out).toContain('redis://u:***@h:1');
  });

  it.each([
    ['not a url', /is not a URL/],
    ['http://localhost:6379', /unsupported scheme "http:"/],
    ['redis://localhost/abc', /database "abc"/],
  ])('rejects %s with E_REDIS_URL', (url, message) => {
    let caught: unknown;
    try {
      parseRedisUrl(url);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RedisBackendError);
    expect((caught as RedisBackendError).code).toBe('E_REDIS_URL');
    expect((caught as Error).message).toMatch(message);
  });

  it('never shows the password of an unparseable URL', () => {
    expect(() => parseRedisUrl('redis://u:topsecret@bad host')).toThrow(/\*\*\*/);
    try {
      parseRedisUrl('redis://u:topsecret@bad host');
    } catch (e) {
      expect((e as Error).message).not.toContain('topsecret');
    }
  });
});

describe('redis preflight against a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD, persistent: false });
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it('accepts the right password and reports the server version', async () => {
    const version = await checkRedis({ url: redis.url });
    expect(version).toMatch(/^\d+\.\d+/);
  });

  it('a wrong password fails fast with E_REDIS_AUTH and without the password', async () => {
    const url = `redis://:wrong-${PASSWORD}@127.0.0.1:${redis.port}`;
    const t0 = Date.now();
    const err = await checkRedis({ url }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(RedisBackendError);
    expect((err as RedisBackendError).code).toBe('E_REDIS_AUTH');
    expect((err as Error).message).toMatch(/rejected the credentials/);
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('a missing password fails with E_REDIS_AUTH saying a password is required', async () => {
    const err = await checkRedis({ url: `redis://127.0.0.1:${redis.port}` }).catch((e: unknown) => e);
    expect((err as RedisBackendError).code).toBe('E_REDIS_AUTH');
    expect((err as Error).message).toMatch(/requires a password/);
  });

  it('nothing listening fails fast with E_REDIS_CONNECT naming the address', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const err = await checkRedis({ url: `redis://:${PASSWORD}@127.0.0.1:${port}` }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect((err as RedisBackendError).code).toBe('E_REDIS_CONNECT');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toMatch(/connection refused/);
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('a host that does not answer times out with E_REDIS_CONNECT', async () => {
    // 192.0.2.0/24 is TEST-NET-1: routable syntax, guaranteed never to answer.
    const t0 = Date.now();
    const err = await checkRedis({ url: 'redis://192.0.2.1:6379' }, 1_000).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect((err as RedisBackendError).code).toBe('E_REDIS_CONNECT');
  });
});

describe('startWorker connection errors', () => {
  it('Redis down: rejects within seconds with E_BACKEND (exit 1), redacted', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const err = await startWorker({ redis: `redis://:${PASSWORD}@127.0.0.1:${port}`, concurrency: 1, taskModule: ECHO_TASK }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(OrchestratorError);
    expect(err).toMatchObject({ code: 'E_BACKEND', exitCode: 1 });
    expect((err as Error).message).toMatch(/connection refused/);
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('a bad concurrency is a usage error (exit 2)', async () => {
    const err = await startWorker({ redis: 'redis://127.0.0.1:1', concurrency: 0 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_USAGE', exitCode: 2 });
  });
});

describe('redis over TLS (rediss://, self-signed CA passed through)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis({ tls: true, password: PASSWORD, persistent: false });
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it('connects when the CA is passed through redisOptions.tls', async () => {
    expect(redis.url.startsWith('rediss://')).toBe(true);
    expect(await checkRedis({ url: redis.url, redisOptions: { tls: { ca: redis.ca } } })).toMatch(/^\d+\./);
  });

  it('an untrusted certificate fails fast with a TLS message', async () => {
    const err = await checkRedis({ url: redis.url }).catch((e: unknown) => e);
    expect((err as RedisBackendError).code).toBe('E_REDIS_CONNECT');
    expect((err as Error).message).toMatch(/TLS failed .*certificate/);
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('plain redis:// against the TLS port fails within the timeout', async () => {
    const t0 = Date.now();
    const err = await checkRedis({ url: redis.url.replace('rediss:', 'redis:') }, 1_500).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(4_000);
    expect((err as RedisBackendError).code).toBe('E_REDIS_CONNECT');
  });

  it('a batch runs end to end over TLS (backend and worker)', async () => {
    const tls = { tls: { ca: redis.ca } };
    const worker = await startWorker({ redis: redis.url, redisOptions: tls, concurrency: 1, taskModule: ECHO_TASK });
    const backend = createBullmqBackend({ runId: 'tls', workers: 1, redis: redis.url, redisOptions: tls });
    try {
      await backend.start();
      const task: BatchTask = {
        type: 'batch', protocol: PROTOCOL_VERSION, runId: 'tls', cellIndex: 0, cellKey: 'k', cellHash32: 1, batchIndex: 0,
        experiment: 'instability', params: {}, seed: 1, trialStart: 0, trialCount: 5, attempt: 1,
      };
      const out = await backend.run(task);
      expect(out).toMatchObject({ type: 'batch-result', trialCount: 5 });
      expect(batchKey(out)).toBe('tls:0:0');
    } finally {
      await backend.close();
      await worker.close();
    }
  });
});
