import crypto from 'node:crypto';
import fs from 'node:fs';
import type Redis from 'ioredis';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ConfigError } from '@rideshare/common';

/** Automatic persisted queries stored in Redis, shared by every gateway instance. */
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

/**
 * Reads a safelist: an Apollo persisted-query manifest (`{ "operations": [{ "id", "body", … }] }`).
 * Every id must be the SHA-256 of its body, so the list cannot be made to allow other text.
 */
export function readSafelist(file: string): Set<string> {
  let manifest: { operations?: Array<{ id?: string; body?: string }> };
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof manifest;
  } catch (err) {
    throw new ConfigError(
      'GATEWAY_SAFELIST_FILE',
      `could not be read as JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const ids = new Set<string>();
  for (const [i, op] of (manifest.operations ?? []).entries()) {
    if (typeof op.body !== 'string' || op.id !== sha256(op.body))
      throw new ConfigError('GATEWAY_SAFELIST_FILE', `operation ${i}: id must be the SHA-256 of body`);
    ids.add(op.id);
  }
  return ids;
}

/** Production safelist: only operations from the manifest run (internal operations excepted). */
export function safelistPlugin(allowed: Set<string>): ApolloServerPlugin<{ internal?: boolean }> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          if (ctx.contextValue.internal) return;
          if (!allowed.has(ctx.queryHash)) {
            throw new GraphQLError('This operation is not in the safelist', {
              extensions: { code: 'OPERATION_NOT_SAFELISTED', http: { status: 403 } },
            });
          }
        },
      };
    },
  };
}
