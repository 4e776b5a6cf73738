import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { readInfraConfig } from '@rideshare/common';
import type { BuiltImage } from '../src/image-build';
import { serviceEnv, volumeMounts, type ComposeFile } from '../src/compose-file';
import { appServices, serviceDatabase } from '../src/services';

/**
 * Compose's services as processes of the image built by image-build.ts: each with its command and its
 * container environment (the image's ENV, then compose's), where only what must differ on one machine
 * differs: the infrastructure is this test's stack, each service listens on a free port (and is found
 * there), a volume is a directory, a path of the image (under its WORKDIR, e.g. GATEWAY_WEB_DIR
 * /app/web) is that path of the built stage, and the databases, topics and Redis keys get a prefix of
 * their own.
 */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

interface EnvOptions {
  compose: ComposeFile;
  image: BuiltImage;
  names: string[];
  prefix: string;
  work: string;
  infra: ReturnType<typeof readInfraConfig>;
}

/** Replaces whole occurrences of each `[from, to]`, in order. */
const replaceAll = (value: string, pairs: Array<[string, string]>) =>
  pairs.reduce((v, [from, to]) => v.split(from).join(to), value);

/** A container path under the image's WORKDIR (`/app/web`) is that path of the built final stage. */
export function imagePath(image: BuiltImage, value: string): string {
  const { workdir } = image.config;
  if (value !== workdir && !value.startsWith(`${workdir}/`)) return value;
  return path.join(image.root, path.posix.relative(workdir, value));
}

/** Every service's environment, and how its command's paths map here (volumes, the image's files). */
export async function containerEnv(opts: EnvOptions): Promise<Map<string, Record<string, string>>> {
  const { compose, names } = opts;
  const composed = new Map(
    names.map((n) => [n, serviceEnv(compose.services[n] ?? {}, { REDIS_NAMESPACE: opts.prefix })]),
  );
  // `drivers:4001` is 127.0.0.1:<its free port> here.
  const addresses: Array<[string, string]> = [];
  for (const [name, env] of composed)
    if (env.PORT) {
      const port = String(await freePort());
      addresses.push([`//${name}:${env.PORT}/`, `//127.0.0.1:${port}/`]);
      env.PORT = port;
    }
  const infra: Record<string, string> = {
    KAFKA_BROKERS: opts.infra.kafkaBrokers.join(','),
    MONGO_URL: opts.infra.mongoUrl,
    REDIS_URL: opts.infra.redisUrl,
    // The stack's MailDev (npm test puts its SMTP_URL in the environment).
    ...(process.env.SMTP_URL ? { SMTP_URL: process.env.SMTP_URL } : {}),
  };
  const result = new Map<string, Record<string, string>>();
  for (const [name, env] of composed) {
    const paths = volumePaths(compose, name, opts.work);
    const own: Record<string, string> = {};
    for (const [key, value] of Object.entries(env))
      own[key] = infra[key] ?? imagePath(opts.image, replaceAll(replaceAll(value, addresses), paths));
    const app = appServices.find((s) => s.name === name);
    const isolation: Record<string, string> = app
      ? { MONGO_DB: `${opts.prefix}_${serviceDatabase[app.name]}`, KAFKA_NAMESPACE: opts.prefix }
      : {};
    result.set(name, { ...opts.image.config.env, ...own, ...isolation });
  }
  return result;
}

/** A service's volume mounts: `/credentials/` is `<work>/volumes/<volume>/` here. */
function volumePaths(compose: ComposeFile, name: string, work: string): Array<[string, string]> {
  return volumeMounts(compose.services[name] ?? {}).map(({ volume, target }) => {
    const dir = path.join(work, 'volumes', volume);
    fs.mkdirSync(dir, { recursive: true });
    return [`${target}/`, `${dir}/`];
  });
}

export interface Container {
  name: string;
  port: number | undefined;
  exited(timeoutMs: number): Promise<number | null>;
  healthy(timeoutMs: number): Promise<void>;
  imageHealthcheck(): Promise<number>;
  status(route: string): Promise<number>;
  stop(): Promise<void>;
}

function exitCode(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, timeout: 5_000 }, (err) =>
      resolve(err ? (typeof err.code === 'number' ? err.code : 1) : 0),
    );
  });
}

/** Runs a compose service as the image would: its command (or the image's CMD) in the WORKDIR. */
export function startContainer(
  name: string,
  compose: ComposeFile,
  image: BuiltImage,
  envs: Map<string, Record<string, string>>,
): Container {
  const svc = compose.services[name] ?? {};
  const own = envs.get(name) ?? {};
  const command = (svc.command ?? image.config.cmd ?? []).map((arg) =>
    replaceAll(arg, volumePaths(compose, name, path.dirname(image.root))),
  );
  const [file, ...args] = command;
  if (!file) throw new Error(`${name} has no command`);
  // A container's environment: PATH and HOME, and what the image and compose set. Nothing of ours.
  const env = { PATH: process.env.PATH ?? '', HOME: path.join(path.dirname(image.root), 'home'), ...own };
  const child = spawn(file, args, { cwd: image.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failure = (what: string) => new Error(`${name} ${what}:\n${logs.slice(-20).join('\n')}`);
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    port: own.PORT ? Number(own.PORT) : undefined,
    async exited(timeoutMs) {
      const timer = new Promise<never>((_r, reject) =>
        setTimeout(() => reject(failure(`did not finish within ${timeoutMs} ms`)), timeoutMs).unref(),
      );
      const code = await Promise.race([exit, timer]);
      if (code !== 0) throw failure(`exited with ${code}`);
      return code;
    },
    async healthy(timeoutMs) {
      const [kind, ...test] = svc.healthcheck?.test ?? [];
      if (kind !== 'CMD' && kind !== 'CMD-SHELL') throw failure('has no compose health check');
      const [checkFile = '', ...checkArgs] = kind === 'CMD' ? test : ['/bin/sh', '-c', test.join(' ')];
      for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
        if (!running()) throw failure(`exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
        if ((await exitCode(checkFile, checkArgs, image.root, env)) === 0) return;
        await new Promise((r) => setTimeout(r, 300));
      }
      throw failure(`was not healthy within ${timeoutMs} ms`);
    },
    async imageHealthcheck() {
      const [checkFile, ...checkArgs] = image.config.healthcheck ?? [];
      if (!checkFile) throw failure('the image has no HEALTHCHECK');
      return exitCode(checkFile, checkArgs, image.root, env);
    },
    async status(route) {
      return (await fetch(`http://127.0.0.1:${own.PORT}${route}`)).status;
    },
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/** Drops the prefixed databases and topics the services created. */
export async function dropIsolation(prefix: string): Promise<void> {
  const infra = readInfraConfig();
  const client = new MongoClient(infra.mongoUrl);
  try {
    const { databases } = await client.db().admin().listDatabases();
    for (const db of databases.filter((d) => d.name.startsWith(`${prefix}_`)))
      await client.db(db.name).dropDatabase();
  } finally {
    await client.close();
  }
  const admin = new Kafka({
    clientId: 'image-test',
    brokers: infra.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
