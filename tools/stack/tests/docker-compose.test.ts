import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { infraDefaults, mintToken, readAuthConfig } from '@rideshare/common';
import { imageEntries } from '../src/build-services';
import { builtServices, jobNames, readCompose, serviceEnv, volumeMounts } from '../src/compose-file';
import { checkServiceConfig, deploymentRequired, type ConfigCheck } from '../src/config-check';
import { copiedFromStage, parseDockerfile, stageConfig } from '../src/dockerfile';
import { KAFKA_VERSION } from '../src/kafka';
import { repoRoot } from '../src/paths';
import { appServices, type AppServiceName } from '../src/services';
import { webDist } from '../src/web-build';

const compose = readCompose();
const jobs = jobNames(compose);
const stages = parseDockerfile(fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
const image = stageConfig(stages.at(-1) ?? { base: '', instructions: [] });
/** Where the image holds the built web app (the build stage's web/dist). */
const imageWebDir = copiedFromStage(stages, path.relative(repoRoot, webDist));
const hostPort = (url: string) => new URL(url.includes('://') ? url : `tcp://${url}`).port;
/** The compose services an environment value names as a host (`kafka:19092`, `http://trips:4003/…`). */
const hostsIn = (value: string) =>
  Object.keys(compose.services).filter((name) => new RegExp(`(^|[/,@])${name}:\\d+`).test(value));
/**
 * Variables set for a service that no configuration reader reads, but something else does: Node.js
 * and libraries read NODE_ENV (the image sets it for them, not for our code).
 */
const readOutsideOurCode = new Set(['NODE_ENV']);

describe('docker-compose.yml', () => {
  it('should run the official MongoDB, Apache Kafka and Redis images with health checks', () => {
    expect(compose.services.mongo?.image).toMatch(/^mongo:/);
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(compose.services.redis?.image).toMatch(/^redis:/);
    for (const name of ['mongo', 'kafka', 'redis'])
      expect(compose.services[name]?.healthcheck?.test.length).toBeGreaterThan(0);
  });

  it('should publish the same host ports as the local defaults', () => {
    expect(compose.services.kafka?.ports).toContain(`${hostPort(infraDefaults.kafkaBrokers)}:9092`);
    expect(compose.services.mongo?.ports).toContain(`${hostPort(infraDefaults.mongoUrl)}:27017`);
    expect(compose.services.redis?.ports).toContain(`${hostPort(infraDefaults.redisUrl)}:6379`);
  });

  it('should run Kafka in KRaft mode with a listener for containers and one for the host', () => {
    const env = compose.services.kafka?.environment ?? {};
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(String(env.KAFKA_ADVERTISED_LISTENERS)).toContain('kafka:19092');
    expect(String(env.KAFKA_ADVERTISED_LISTENERS)).toContain('localhost:9092');
  });

  it("should keep Kafka's data in its volume (the image writes to /tmp/kraft-combined-logs otherwise)", () => {
    const kafka = compose.services.kafka ?? {};
    const targets = volumeMounts(kafka).map((m) => m.target);
    expect(targets).toHaveLength(1);
    expect(kafka.environment?.KAFKA_LOG_DIRS).toBe(targets[0]);
  });

  it('should run every service of the system from its compiled bundle, on its local port', () => {
    for (const { name, port } of appServices) {
      const service = compose.services[name];
      expect({ name, command: service?.command, port: Number(service?.environment?.PORT) }).toEqual({
        name,
        command: ['node', `dist/${name}.js`],
        port,
      });
    }
    // Whatever a built service runs from dist/ is a bundle the build makes.
    const built = new Set(imageEntries.map((e) => `dist/${e.name}.js`));
    for (const [name, service] of builtServices(compose)) {
      const ran = [...(service.command ?? []), ...(service.healthcheck?.test ?? [])]
        .flatMap((arg) => arg.match(/dist\/[\w-]+\.js/g) ?? [])
        .filter((file) => !built.has(file));
      expect({ name, notBuilt: ran }).toEqual({ name, notBuilt: [] });
    }
    expect(compose.services.gateway?.ports).toContain('4000:4000');
  });

  it('should serve the web app the image holds from the gateway, and only there', () => {
    // The build stage builds it (`vite build` in web/) and the final stage copies it.
    const build = stages.slice(0, -1).flatMap((s) => s.instructions);
    expect(build).toContainEqual(expect.objectContaining({ op: 'COPY', sources: ['web/package.json'] }));
    expect(build).toContainEqual(expect.objectContaining({ op: 'RUN', command: 'npm run build -w web' }));
    expect(imageWebDir).toBe('/app/web');
    expect(image.env.GATEWAY_WEB_DIR).toBeUndefined();
    for (const [name, service] of builtServices(compose))
      expect({ name, dir: serviceEnv(service).GATEWAY_WEB_DIR }).toEqual({
        name,
        dir: name === 'gateway' ? imageWebDir : undefined,
      });
  });

  it('should give every long-running service a health check, and run the jobs once', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (jobs.has(name)) expect({ name, restart: service.restart }).toEqual({ name, restart: 'no' });
      else
        expect({ name, test: service.healthcheck?.test.slice(0, 1) }).toEqual({
          name,
          test: [expect.stringMatching(/^CMD(-SHELL)?$/)],
        });
    }
  });

  it('should start each service after what it uses is healthy, and after the jobs it needs are done', () => {
    for (const [name, service] of builtServices(compose)) {
      const uses = new Set(Object.values(serviceEnv(service)).flatMap(hostsIn));
      const wanted = Object.fromEntries([...uses].map((host) => [host, { condition: 'service_healthy' }]));
      // A volume a job fills: wait until it has finished.
      for (const { volume } of volumeMounts(service))
        for (const job of jobs)
          if (job !== name && volumeMounts(compose.services[job] ?? {}).some((m) => m.volume === volume))
            wanted[job] = { condition: 'service_completed_successfully' };
      const has = Object.fromEntries(Object.keys(wanted).map((dep) => [dep, service.depends_on?.[dep]]));
      expect({ name, depends_on: has }).toEqual({ name, depends_on: wanted });
      for (const dep of Object.keys(service.depends_on ?? {})) expect(compose.services[dep]).toBeDefined();
    }
    // The simulator drives the seeded drivers: it waits for the seed.
    expect(compose.services.simulator?.depends_on?.seed).toEqual({
      condition: 'service_completed_successfully',
    });
  });

  describe("each service's environment, against its configuration reader", () => {
    const volumes = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-volumes-'));
    const checks = new Map<string, Promise<{ env: Record<string, string>; check: ConfigCheck }>>();
    /** The service's container environment: the image's ENV, then compose's. */
    const containerEnv = async (name: AppServiceName) => {
      const service = compose.services[name] ?? {};
      const env: Record<string, string> = { ...image.env, ...serviceEnv(service) };
      // A mounted volume is a directory here, holding what its job writes (the simulator's token).
      for (const { volume, target } of volumeMounts(service)) {
        const dir = path.join(volumes, volume);
        fs.mkdirSync(dir, { recursive: true });
        const token = await mintToken(readAuthConfig({}), { role: 'simulator', code: 'SIMULATOR' });
        fs.writeFileSync(path.join(dir, 'simulator.token'), token);
        for (const [key, value] of Object.entries(env)) env[key] = value.split(`${target}/`).join(`${dir}/`);
      }
      // The image's built app is a stand-in here (image.e2e.ts serves the real one from the image).
      if (imageWebDir && env.GATEWAY_WEB_DIR === imageWebDir) {
        const dir = path.join(volumes, 'image-web');
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, 'index.html'), '<div id="app"></div>');
        env.GATEWAY_WEB_DIR = dir;
      }
      return { env, check: await checkServiceConfig(name, env) };
    };
    // Two --check-config processes at a time (one a core): more run out of their 30 s on a busy machine.
    beforeAll(() => {
      const lanes = [Promise.resolve(), Promise.resolve()];
      appServices.forEach(({ name }, i) => {
        const lane = i % lanes.length;
        const result = (lanes[lane] ?? Promise.resolve()).then(() => containerEnv(name));
        lanes[lane] = result.then(
          () => undefined,
          () => undefined,
        );
        checks.set(name, result);
      });
    });
    afterAll(() => fs.rmSync(volumes, { recursive: true, force: true }));

    it.each(appServices.map((s) => s.name))(
      'should give %s a valid configuration, all it must be told, and nothing it does not read',
      async (name) => {
        const result = await checks.get(name);
        if (!result) throw new Error(`no check for ${name}`);
        const { env, check } = result;
        expect({ name, error: check.ok ? undefined : check.error }).toEqual({ name, error: undefined });
        const reads = check.ok ? check.reads : [];
        const missing = deploymentRequired(reads).filter((key) => env[key] === undefined);
        const unread = Object.keys(env).filter((key) => !reads.includes(key) && !readOutsideOurCode.has(key));
        expect({ name, missing, unread }).toEqual({ name, missing: [], unread: [] });
      },
      90_000,
    );
  });
});
