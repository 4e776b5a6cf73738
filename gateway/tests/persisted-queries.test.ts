import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import type { ApolloServerPlugin, GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ConfigError } from '@rideshare/common';
import { readSafelist, RedisQueryCache, safelistPlugin, sha256 } from '../src/limits/persisted-queries';

// The safelist and APQ helpers without a gateway: manifests in a temporary directory, an in-memory Redis.

describe('sha256', () => {
  it('should hash the query text to lowercase hex, as Apollo persisted-query ids are', () => {
    expect(sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256('{ __typename }')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('readSafelist', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safelist-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const manifest = (operations: unknown[]) =>
    JSON.stringify({ format: 'apollo-persisted-query-manifest', operations });

  it('should allow the id of every operation of the manifest', () => {
    const a = '{ trips { code } }';
    const b = 'query Me { me { code } }';
    const file = write(
      'ok.json',
      manifest([
        { id: sha256(a), body: a, name: 'A' },
        { id: sha256(b), body: b },
      ]),
    );
    expect(readSafelist(file)).toEqual(new Set([sha256(a), sha256(b)]));
  });

  it('should read a manifest without operations as an empty safelist', () => {
    expect(readSafelist(write('empty.json', '{}'))).toEqual(new Set());
  });

  it('should refuse an id that is not the SHA-256 of its body, naming the operation', () => {
    const body = '{ trips { code } }';
    const file = write(
      'forged.json',
      manifest([
        { id: sha256(body), body },
        { id: sha256(body), body: '{ me }' },
      ]),
    );
    expect(() => readSafelist(file)).toThrow(ConfigError);
    expect(() => readSafelist(file)).toThrow(
      'Invalid configuration: GATEWAY_SAFELIST_FILE operation 1: id must be the SHA-256 of body',
    );
  });

  it('should refuse an operation without a body or an id', () => {
    expect(() => readSafelist(write('nobody.json', manifest([{ id: sha256('') }])))).toThrow('operation 0');
    expect(() => readSafelist(write('noid.json', manifest([{ body: '{ me }' }])))).toThrow('operation 0');
  });

  it('should refuse a file that is not JSON, or is missing, as configuration errors', () => {
    expect(() => readSafelist(write('broken.json', '{ "operations": ['))).toThrow(
      /GATEWAY_SAFELIST_FILE could not be read as JSON/,
    );
    expect(() => readSafelist(path.join(dir, 'missing.json'))).toThrow(ConfigError);
  });
});

describe('safelistPlugin', () => {
  type Context = { internal?: boolean };
  const allowed = sha256('{ trips { code } }');

  async function check(plugin: ApolloServerPlugin<Context>, queryHash: string, contextValue: Context) {
    const request = {
      queryHash,
      contextValue,
    } as unknown as GraphQLRequestContextDidResolveOperation<Context>;
    const listener = await plugin.requestDidStart?.(request);
    await listener?.didResolveOperation?.(request);
  }

  it('should let an operation of the safelist run', async () => {
    await expect(check(safelistPlugin(new Set([allowed])), allowed, {})).resolves.toBeUndefined();
  });

  it('should refuse any other operation with 403 OPERATION_NOT_SAFELISTED', async () => {
    const err = await check(safelistPlugin(new Set([allowed])), sha256('{ me }'), {}).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GraphQLError);
    expect(err).toMatchObject({
      message: 'This operation is not in the safelist',
      extensions: { code: 'OPERATION_NOT_SAFELISTED', http: { status: 403 } },
    });
  });

  it("should let the system's internal operations through", async () => {
    await expect(
      check(safelistPlugin(new Set()), sha256('{ me }'), { internal: true }),
    ).resolves.toBeUndefined();
  });
});

describe('RedisQueryCache', () => {
  function fakeRedis() {
    const values = new Map<string, string>();
    const ttls = new Map<string, number>();
    const redis = {
      get: async (key: string) => values.get(key) ?? null,
      set: async (key: string, value: string, _ex: 'EX', ttl: number) => {
        values.set(key, value);
        ttls.set(key, ttl);
        return 'OK';
      },
      del: async (key: string) => (values.delete(key) ? 1 : 0),
    };
    return { values, ttls, redis: redis as unknown as Redis };
  }

  it('should store queries under its prefix, for a day unless told otherwise', async () => {
    const { values, ttls, redis } = fakeRedis();
    const cache = new RedisQueryCache(redis);
    await cache.set('h1', '{ me }');
    await cache.set('h2', '{ trips }', { ttl: 60 });
    await cache.set('h3', '{ x }', { ttl: null });
    expect([...values.keys()]).toEqual(['apq:h1', 'apq:h2', 'apq:h3']);
    expect(Object.fromEntries(ttls)).toEqual({ 'apq:h1': 86_400, 'apq:h2': 60, 'apq:h3': 86_400 });
  });

  it('should read a stored query back and miss as undefined (what Apollo expects)', async () => {
    const cache = new RedisQueryCache(fakeRedis().redis, 'test:');
    await cache.set('h1', '{ me }');
    await expect(cache.get('h1')).resolves.toBe('{ me }');
    await expect(cache.get('h2')).resolves.toBeUndefined();
  });

  it('should say whether a delete removed anything', async () => {
    const cache = new RedisQueryCache(fakeRedis().redis);
    await cache.set('h1', '{ me }');
    await expect(cache.delete('h1')).resolves.toBe(true);
    await expect(cache.delete('h1')).resolves.toBe(false);
  });
});
