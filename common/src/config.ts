/** Typed readers for environment configuration. A bad value fails start-up naming the variable. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = NodeJS.ProcessEnv;

export function envString(name: string, fallback: string, env: Env = process.env): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw;
}

export function envOptionalString(name: string, env: Env = process.env): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

type Bounds = { min?: number; max?: number };

/** The fallback when unset, else the value `parse` reads (or refuses), checked against the bounds. */
function envBounded(
  name: string,
  fallback: number,
  bounds: Bounds,
  env: Env,
  parse: (raw: string) => number,
): number {
  const raw = envOptionalString(name, env);
  if (raw === undefined) return fallback;
  const value = parse(raw);
  if (bounds.min !== undefined && value < bounds.min)
    throw new ConfigError(name, `must be >= ${bounds.min}, got ${value}`);
  if (bounds.max !== undefined && value > bounds.max)
    throw new ConfigError(name, `must be <= ${bounds.max}, got ${value}`);
  return value;
}

export function envInt(name: string, fallback: number, bounds: Bounds = {}, env: Env = process.env): number {
  return envBounded(name, fallback, bounds, env, (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got "${raw}"`);
    return Number(raw);
  });
}

export function envNumber(
  name: string,
  fallback: number,
  bounds: Bounds = {},
  env: Env = process.env,
): number {
  return envBounded(name, fallback, bounds, env, (raw) => {
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new ConfigError(name, `must be a number, got "${raw}"`);
    return value;
  });
}

export function envPort(name: string, fallback: number, env: Env = process.env): number {
  return envInt(name, fallback, { min: 0, max: 65535 }, env);
}

export function envUrl(name: string, fallback: string, protocols: string[], env: Env = process.env): string {
  const raw = envString(name, fallback, env);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

export function envEnum<T extends string>(
  name: string,
  fallback: T,
  allowed: readonly T[],
  env: Env = process.env,
): T {
  const raw = envString(name, fallback, env);
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** Comma-separated host:port list, e.g. KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9094. */
export function envHostPorts(name: string, fallback: string, env: Env = process.env): string[] {
  const list = envString(name, fallback, env)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    if (!/^[\w.-]+:\d{1,5}$/.test(item))
      throw new ConfigError(name, `must be host:port[,host:port], got "${item}"`);
  }
  if (list.length === 0) throw new ConfigError(name, 'must name at least one host:port');
  return list;
}

/** Shared connection settings; every process reads them the same way. */
export const infraDefaults = {
  kafkaBrokers: '127.0.0.1:9092',
  mongoUrl: 'mongodb://127.0.0.1:27017',
  redisUrl: 'redis://127.0.0.1:6379',
} as const;

export function readInfraConfig(env: Env = process.env) {
  return {
    kafkaBrokers: envHostPorts('KAFKA_BROKERS', infraDefaults.kafkaBrokers, env),
    mongoUrl: envUrl('MONGO_URL', infraDefaults.mongoUrl, ['mongodb:', 'mongodb+srv:'], env),
    redisUrl: envUrl('REDIS_URL', infraDefaults.redisUrl, ['redis:', 'rediss:'], env),
  };
}
