import { ConfigError, envString } from './config';

/** Lower-case so the same deployment cannot be spelled two ways; short so keys stay small. */
const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/**
 * The prefix of every Redis key and channel of one deployment, from REDIS_NAMESPACE: `<ns>:`, or ''
 * when unset or empty. Several deployments (or test systems) can then share one Redis without
 * reading each other's rate limits, persisted queries or live signals. The gateway and the notifier
 * must be given the same value.
 */
export function readRedisPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const namespace = envString('REDIS_NAMESPACE', '', env);
  if (namespace === '') return '';
  if (!NAMESPACE.test(namespace))
    throw new ConfigError(
      'REDIS_NAMESPACE',
      `must be 1-40 of a-z, 0-9, "_" or "-", starting with a letter or digit, got "${namespace}"`,
    );
  return `${namespace}:`;
}
