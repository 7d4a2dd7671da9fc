import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRedis,
  parseRedisUrl,
  redact,
  redactUrl,
  RedisBackendError,
} from '../src/backends/bullmq/connection.js';
import { freePort, startRedis, type RedisServer } from './helpers/redis.js';

const PASSWORD = 's3cr3t-pa55';

describe('redis URL handling', () => {
  it('redacts the password but keeps user, host, port and db', () => {
    expect(redactUrl('redis://alice:hunter2@db.example:6380/3')).toBe('redis://alice:***@db.example:6380/3');
    expect(redactUrl('rediss://:hunter2@db.example')).toBe('rediss://:***@db.example');
    expect(redactUrl('redis://tokenonly@h')).toBe('redis://***@h');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
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
