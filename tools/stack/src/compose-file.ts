import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { repoRoot } from './paths';

/** The parts of docker-compose.yml the deployment tests read, checked rather than cast. */
const healthcheck = z.object({ test: z.array(z.string()).min(1) }).passthrough();
const service = z
  .object({
    image: z.string().optional(),
    build: z.unknown().optional(),
    command: z.array(z.string()).optional(),
    restart: z.string().optional(),
    ports: z.array(z.string()).optional(),
    environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    healthcheck: healthcheck.optional(),
    volumes: z.array(z.string()).optional(),
    depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  })
  .passthrough();
const composeSchema = z.object({ services: z.record(z.string(), service) });

export type ComposeService = z.infer<typeof service>;
export type ComposeFile = z.infer<typeof composeSchema>;

export function readCompose(file = path.join(repoRoot, 'docker-compose.yml')): ComposeFile {
  return composeSchema.parse(parse(fs.readFileSync(file, 'utf8'), { merge: true }));
}

/** Compose's `${VAR}` and `${VAR:-default}`, from `env` (the shell `docker compose` runs in). */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
    const set = env[name];
    return set === undefined || set === '' ? (fallback ?? '') : set;
  });
}

/** A service's environment as its container sees it (values are strings there). */
export function serviceEnv(
  svc: ComposeService,
  env: Record<string, string | undefined> = {},
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(svc.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), env)]),
  );
}

/** Services the project builds (the Dockerfile's image), by name. */
export const builtServices = (compose: ComposeFile) =>
  Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** One-shot jobs: services someone waits for to finish (`service_completed_successfully`). */
export function jobNames(compose: ComposeFile): Set<string> {
  const jobs = new Set<string>();
  for (const s of Object.values(compose.services))
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {}))
      if (condition === 'service_completed_successfully') jobs.add(dep);
  return jobs;
}

/** `name:/path[:ro]` volume mounts: volume name and where the container sees it. */
export const volumeMounts = (svc: ComposeService) =>
  (svc.volumes ?? []).map((v) => {
    const [volume = '', target = ''] = v.split(':');
    return { volume, target };
  });

/** Start order: levels of services whose dependencies (among `names`) are all in earlier levels. */
export function startLevels(compose: ComposeFile, names: string[]): string[][] {
  const levels: string[][] = [];
  const done = new Set<string>();
  while (done.size < names.length) {
    const level = names.filter(
      (n) =>
        !done.has(n) &&
        Object.keys(compose.services[n]?.depends_on ?? {}).every((d) => done.has(d) || !names.includes(d)),
    );
    if (level.length === 0)
      throw new Error(`depends_on has a cycle among ${names.filter((n) => !done.has(n)).join(', ')}`);
    levels.push(level);
    for (const n of level) done.add(n);
  }
  return levels;
}
