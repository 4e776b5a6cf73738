import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { infraDefaults } from '@rideshare/common';
import { KAFKA_VERSION } from '../src/kafka';
import { appServices } from '../src/services';

interface ComposeService {
  command?: string[];
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const repoRoot = path.resolve(__dirname, '../../..');
const compose = parse(fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as ComposeFile;
const hostPort = (url: string) => new URL(url.includes('://') ? url : `tcp://${url}`).port;

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

  it('should point every application service at the containers and wait for them to be healthy', () => {
    const apps = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
    for (const [name, service] of apps) {
      expect({ name, env: service.environment }).toMatchObject({
        name,
        env: {
          KAFKA_BROKERS: 'kafka:19092',
          MONGO_URL: 'mongodb://mongo:27017',
          REDIS_URL: 'redis://redis:6379',
        },
      });
      expect(Object.keys(service.depends_on ?? {})).toEqual(
        expect.arrayContaining(['kafka', 'mongo', 'redis']),
      );
    }
  });

  it('should run every service of the system from its entry point on its local port', () => {
    for (const { name, entry, port } of appServices) {
      const service = compose.services[name];
      expect({ name, command: service?.command?.at(-1), port: Number(service?.environment?.PORT) }).toEqual({
        name,
        command: entry,
        port,
      });
    }
    expect(compose.services.gateway?.ports).toContain('4000:4000');
    expect(compose.services.gateway?.environment).toMatchObject({
      DRIVERS_URL: 'http://drivers:4001/graphql',
      PASSENGERS_URL: 'http://passengers:4002/graphql',
      TRIPS_URL: 'http://trips:4003/graphql',
    });
  });
});
