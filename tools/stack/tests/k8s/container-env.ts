import type { Container } from './manifests';

/**
 * Stand-ins for the values of Secrets the operator creates: shaped as the code checks them (URLs of
 * the right scheme, secrets of at least 16 characters), so a failing check means the manifest is wrong.
 */
const secretPlaceholders: Record<string, string> = {
  MONGO_URL: 'mongodb://mongo.placeholder.invalid:27017',
  REDIS_URL: 'redis://redis.placeholder.invalid:6379',
  SMTP_URL: 'smtp://smtp.placeholder.invalid:587',
};
const secretPlaceholder = (key: string) =>
  secretPlaceholders[key] ?? `${key.toLowerCase()}-placeholder-0123456789abcdef`;

export interface ResolvedEnv {
  /** What the container's process would see (secrets as placeholders). */
  env: Record<string, string>;
  /** Every variable the manifest sets, whether or not an optional reference finds a value. */
  declared: string[];
  /** References that would keep the pod from starting (a ConfigMap or key that is not there). */
  problems: string[];
}

/** The container's environment as the kubelet would build it from the rendered ConfigMaps. */
export function resolveEnv(
  container: Container,
  configMaps: Map<string, Record<string, string>>,
): ResolvedEnv {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const variable of container.env) {
    const { configMapKeyRef: cmRef, secretKeyRef } = variable.valueFrom ?? {};
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (secretKeyRef) env[variable.name] = secretPlaceholder(secretKeyRef.key);
    else if (cmRef) {
      const value = configMaps.get(cmRef.name)?.[cmRef.key];
      if (value !== undefined) env[variable.name] = value;
      else if (!cmRef.optional)
        problems.push(`${variable.name}: no key ${cmRef.key} in ConfigMap ${cmRef.name}`);
    } else problems.push(`${variable.name}: neither a value nor a reference`);
  }
  return { env, declared: container.env.map((v) => v.name), problems };
}
