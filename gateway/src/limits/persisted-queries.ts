import crypto from 'node:crypto';
import fs from 'node:fs';
import type Redis from 'ioredis';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { ConfigError } from '@rideshare/common';
import { policyPlugin } from '../policy/apollo-plugin';
import { safelistCheck } from '../policy/safelist';

/**
 * Automatic persisted queries stored in Redis, shared by every gateway instance. The gateway passes
 * `<REDIS_NAMESPACE>:apq:` as the prefix, so deployments sharing a Redis keep their own.
 */
export class RedisQueryCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'apq:',
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl ?? 24 * 3600;
    await this.redis.set(this.prefix + key, value, 'EX', ttl);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }
}

export const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** A field of parsed JSON, read without trusting its shape. */
const fieldOf = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null
    ? Object.getOwnPropertyDescriptor(value, name)?.value
    : undefined;

/**
 * Reads a safelist: an Apollo persisted-query manifest (`{ "operations": [{ "id", "body", … }] }`).
 * Every id must be the SHA-256 of its body, so the list cannot be made to allow other text. The
 * policy's useSafelist holds operations to it.
 */
export function readSafelist(file: string): Set<string> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      'GATEWAY_SAFELIST_FILE',
      `could not be read as JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const operations = fieldOf(manifest, 'operations') ?? [];
  if (!Array.isArray(operations))
    throw new ConfigError('GATEWAY_SAFELIST_FILE', '"operations" must be a list of { id, body }');
  const list: readonly unknown[] = operations;
  const ids = new Set<string>();
  for (const [i, op] of list.entries()) {
    const body = fieldOf(op, 'body');
    const id = fieldOf(op, 'id');
    if (typeof body !== 'string' || typeof id !== 'string' || id !== sha256(body))
      throw new ConfigError('GATEWAY_SAFELIST_FILE', `operation ${i}: id must be the SHA-256 of body`);
    ids.add(id);
  }
  return ids;
}

/** The safelist alone as an Apollo plugin; the gateway applies it through its request policy instead. */
export const safelistPlugin = (allowed: ReadonlySet<string>) =>
  policyPlugin<{ internal?: boolean }>({ admitOperation: safelistCheck(allowed) });
