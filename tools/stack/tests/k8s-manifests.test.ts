import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consumerGroupId, eventTopics } from '@rideshare/events';
import { supergraphPath } from '@rideshare/schema';
import { mapLimit } from '../../../common/src/concurrency';
import { consumerGroups as archiverGroups } from '../../../events/src/workers/archiver';
import { consumerGroups as notifierGroups } from '../../../events/src/workers/notifier';
import { consumerGroups as orchestratorGroups } from '../../../subgraphs/trips/src/workers/orchestrator';
import { consumerGroups as reportingGroups } from '../../../subgraphs/trips/src/workers/reporting';
import { checkServiceConfig, deploymentRequired } from '../src/config-check';
import { copiedFromStage, parseDockerfile } from '../src/dockerfile';
import { repoRoot } from '../src/paths';
import { appServices } from '../src/services';
import { webDist } from '../src/web-build';
import { resolveEnv } from './k8s/container-env';
import {
  configMapSchema,
  deploymentSchema,
  hpaSchema,
  kafkaSchema,
  kafkaTopicSchema,
  nodePoolSchema,
  ofKind,
  overlays,
  pdbSchema,
  render,
  scaledObjectSchema,
  serviceSchema,
  type Container,
  type Deployment,
  type K8sObject,
  type Overlay,
} from './k8s/manifests';
import { servedPaths } from './k8s/routes';

// Renders deploy/k8s with `kubectl kustomize` (installed when missing) and holds every object against
// the code: the variables each service reads, its port and health routes, its consumer groups.

/** The Kafka consumers the KEDA component scales, with the groups their worker files declare. */
const kafkaConsumers: Record<string, Record<string, string>> = {
  orchestrator: orchestratorGroups,
  archiver: archiverGroups,
  reporting: reportingGroups,
  notifier: notifierGroups,
};
/** handleShutdown's limit (common/src/shutdown.ts): the grace period must cover it after the drain. */
const SHUTDOWN_TIMEOUT_S = 15;

const rendered = new Map<string, K8sObject[]>();
beforeAll(async () => {
  for (const overlay of overlays) {
    rendered.set(overlay, await render(overlay));
    rendered.set(`${overlay}+keda`, await render(overlay, { keda: true }));
  }
}, 120_000);
const objects = (overlay: Overlay, keda = false) => {
  const found = rendered.get(keda ? `${overlay}+keda` : overlay);
  if (!found) throw new Error(`${overlay} was not rendered`);
  return found;
};
const configMaps = (overlay: Overlay) =>
  new Map(ofKind(objects(overlay), 'ConfigMap', configMapSchema).map((c) => [c.metadata.name, c.data]));
/** rideshare-config, as generated (its name carries a hash suffix). */
const appConfig = (overlay: Overlay) => {
  const found = [...configMaps(overlay)].filter(([name]) => name.startsWith('rideshare-config'));
  expect(found).toHaveLength(1);
  return found[0]?.[1] ?? {};
};
const deployments = (overlay: Overlay, keda = false) =>
  ofKind(objects(overlay, keda), 'Deployment', deploymentSchema);
const deploymentOf = (overlay: Overlay, name: string, keda = false): Deployment => {
  const found = deployments(overlay, keda).find((d) => d.metadata.name === name);
  if (!found) throw new Error(`${overlay}: no Deployment ${name}`);
  return found;
};
const containerOf = (d: Deployment): Container => {
  const [container] = d.spec.template.spec.containers;
  if (!container) throw new Error(`${d.metadata.name}: no container`);
  return container;
};
const selects = (selector: Record<string, string>, d: Deployment) =>
  Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v);
const portOf = (container: Container, port: string | number) =>
  typeof port === 'number' ? port : container.ports.find((p) => p.name === port)?.containerPort;
const partitions = (overlay: Overlay) => Number(appConfig(overlay).TRIP_EVENTS_PARTITIONS ?? '6');
/** Where the image holds the built web app (the Dockerfile's copy of the build stage's web/dist). */
const imageWebDir = copiedFromStage(
  parseDockerfile(fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8')),
  path.relative(repoRoot, webDist),
);
/** The image's built app as a stand-in folder here, for --check-config (it wants an index.html). */
const webStandIn = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-web-'));
fs.writeFileSync(path.join(webStandIn, 'index.html'), '<div id="app"></div>');
afterAll(() => fs.rmSync(webStandIn, { recursive: true, force: true }));
const withImagePaths = (env: Record<string, string>) =>
  imageWebDir && env.GATEWAY_WEB_DIR === imageWebDir ? { ...env, GATEWAY_WEB_DIR: webStandIn } : env;

describe.each(overlays)('deploy/k8s overlay %s', (overlay) => {
  it('should run one Deployment per app service, from the image, with its bundle as command', () => {
    expect(
      deployments(overlay)
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(appServices.map((s) => s.name).sort());
    for (const { name } of appServices) {
      const container = containerOf(deploymentOf(overlay, name));
      expect({ name, image: container.image.split(':')[0], command: container.command }).toEqual({
        name,
        image: 'rideshare-federation',
        command: ['node', `dist/${name}.js`],
      });
    }
  });

  it('should give each service a configuration its --check-config accepts, setting only what it reads', async () => {
    const maps = configMaps(overlay);
    // Two at a time: each is a Node process compiling TypeScript, on a machine that may be busy.
    const results = await mapLimit(appServices, 2, async ({ name }) => {
      const resolved = resolveEnv(containerOf(deploymentOf(overlay, name)), maps);
      const check = await checkServiceConfig(name, withImagePaths(resolved.env));
      return { name, resolved, check };
    });
    // One comparison for all services, so a failure lists every service that is wrong.
    const findings = results.map(({ name, resolved, check }) => ({
      name,
      problems: resolved.problems,
      error: check.ok ? undefined : check.error,
      unset: check.ok ? deploymentRequired(check.reads).filter((key) => !(key in resolved.env)) : [],
      unread: check.ok ? resolved.declared.filter((key) => !check.reads.includes(key)) : [],
    }));
    const clean = { problems: [], error: undefined, unset: [], unread: [] };
    expect(findings).toEqual(results.map(({ name }) => ({ name, ...clean })));
    // Nine processes of about two seconds each when idle; several times that on a loaded machine.
  }, 300_000);

  it("should probe each service's own port on health routes its route table serves", () => {
    for (const { name, kind, port } of appServices) {
      const container = containerOf(deploymentOf(overlay, name));
      const served = servedPaths(kind);
      const probes = [container.livenessProbe, container.readinessProbe, container.startupProbe];
      for (const probe of probes.filter((p) => p !== undefined)) {
        expect({ name, port: portOf(container, probe.httpGet.port) }).toEqual({ name, port });
        expect(served).toContain(probe.httpGet.path);
      }
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.env.find((v) => v.name === 'PORT')?.value).toBe(String(port));
    }
  });

  it('should expose each HTTP service (and no worker) on its port, and give every pod limits', () => {
    const services = ofKind(objects(overlay), 'Service', serviceSchema);
    for (const { name, kind, port } of appServices) {
      const deployment = deploymentOf(overlay, name);
      const service = services.find((s) => s.metadata.name === name);
      if (kind === 'worker') {
        expect({ name, service }).toEqual({ name, service: undefined });
      } else {
        if (!service) throw new Error(`${overlay}: no Service ${name}`);
        expect(selects(service.spec.selector, deployment)).toBe(true);
        const [servicePort] = service.spec.ports;
        expect(servicePort?.port).toBe(port);
        expect(portOf(containerOf(deployment), servicePort?.targetPort ?? '')).toBe(port);
      }
      const { requests, limits } = containerOf(deployment).resources;
      expect([requests.cpu, requests.memory, limits.cpu, limits.memory].every(Boolean)).toBe(true);
    }
  });

  it('should drain HTTP pods before SIGTERM and wait out their shutdown', () => {
    for (const { name, kind } of appServices) {
      const deployment = deploymentOf(overlay, name);
      const preStop = containerOf(deployment).lifecycle?.preStop.exec.command ?? [];
      const drain = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
      if (kind !== 'worker') expect({ name, drain: drain > 0 }).toEqual({ name, drain: true });
      const grace = deployment.spec.template.spec.terminationGracePeriodSeconds;
      expect({ name, enough: grace >= drain + SHUTDOWN_TIMEOUT_S }).toEqual({ name, enough: true });
    }
  });

  it('should give every Deployment a PodDisruptionBudget and the gateway an autoscaler', () => {
    const pdbs = ofKind(objects(overlay), 'PodDisruptionBudget', pdbSchema);
    for (const { name } of appServices) {
      const deployment = deploymentOf(overlay, name);
      const covering = pdbs.filter((p) => selects(p.spec.selector.matchLabels, deployment));
      expect({ name, pdbs: covering.map((p) => p.metadata.name) }).toEqual({ name, pdbs: [name] });
    }
    const hpas = ofKind(objects(overlay), 'HorizontalPodAutoscaler', hpaSchema);
    expect(hpas.map((h) => [h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name])).toEqual([
      ['Deployment', 'gateway'],
    ]);
    // The autoscaler owns the count: a replicas field would reset it at every apply.
    expect(deploymentOf(overlay, 'gateway').spec.replicas).toBeUndefined();
  });

  it('should serve the web app from where the image holds it, on the gateway only', () => {
    expect(imageWebDir).toBeDefined();
    for (const { name } of appServices) {
      const dir = containerOf(deploymentOf(overlay, name)).env.find((v) => v.name === 'GATEWAY_WEB_DIR');
      expect({ name, dir: dir?.value }).toEqual({ name, dir: name === 'gateway' ? imageWebDir : undefined });
    }
  });

  it('should mount the committed supergraph where the gateway reads it', () => {
    const container = containerOf(deploymentOf(overlay, 'gateway'));
    const mount = container.volumeMounts.find(
      // In the image the bundles run from /app/dist, where the build copies the schema files under
      // their repository paths (tools/stack/src/build-services.ts, schema/src/subgraphs.ts).
      (m) => m.mountPath === path.posix.join('/app/dist', path.relative(repoRoot, supergraphPath)),
    );
    const volume = deploymentOf(overlay, 'gateway').spec.template.spec.volumes.find(
      (v) => v.name === mount?.name,
    );
    const data = configMaps(overlay).get(volume?.configMap?.name ?? '');
    expect(mount?.subPath).toBeDefined();
    expect(data?.[mount?.subPath ?? '']).toBe(fs.readFileSync(supergraphPath, 'utf8'));
  });

  it('should scale the Kafka consumers on lag with KEDA, no further than the partitions', () => {
    const namespace = appConfig(overlay).KAFKA_NAMESPACE ?? '';
    const topics = eventTopics(namespace);
    const scaled = ofKind(objects(overlay, true), 'ScaledObject', scaledObjectSchema);
    expect(scaled.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(Object.keys(kafkaConsumers).sort());
    for (const so of scaled) {
      const name = so.spec.scaleTargetRef.name;
      const deployment = deploymentOf(overlay, name, true);
      expect({ name, replicas: deployment.spec.replicas }).toEqual({ name, replicas: undefined });
      expect(so.spec.maxReplicaCount).toBeLessThanOrEqual(partitions(overlay));
      expect(so.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      const groups = kafkaConsumers[name] ?? {};
      expect(Object.keys(topics)).toEqual(expect.arrayContaining(Object.keys(groups)));
      const byGroup = (a: { consumerGroup: string }, b: { consumerGroup: string }) =>
        a.consumerGroup.localeCompare(b.consumerGroup);
      const expected = Object.entries(topics)
        .flatMap(([key, topic]) => {
          const group = groups[key];
          return group ? [{ topic, consumerGroup: consumerGroupId(namespace, group) }] : [];
        })
        .sort(byGroup);
      const triggers = so.spec.triggers
        .map(({ metadata: { topic, consumerGroup } }) => ({ topic, consumerGroup }))
        .sort(byGroup);
      expect({ name, triggers }).toEqual({ name, triggers: expected });
      for (const trigger of so.spec.triggers) {
        const fromEnv = trigger.metadata.bootstrapServersFromEnv;
        expect(fromEnv).toBe('KAFKA_BROKERS');
        expect(containerOf(deployment).env.map((v) => v.name)).toContain(fromEnv);
      }
    }
  });
});

describe('deploy/k8s overlays', () => {
  it('should run local with one of each, in local mode', () => {
    expect(appConfig('local').APP_MODE).toBe('local');
    for (const d of deployments('local'))
      expect([d.metadata.name, d.spec.replicas ?? 1]).toEqual([d.metadata.name, 1]);
    const [hpa] = ofKind(objects('local'), 'HorizontalPodAutoscaler', hpaSchema);
    expect(hpa?.spec.minReplicas).toBe(1);
  });

  it('should run production in production mode with more replicas than local', () => {
    expect(appConfig('production').APP_MODE).toBe('production');
    for (const { name, kind } of appServices) {
      if (kind !== 'subgraph') continue;
      expect(deploymentOf('production', name).spec.replicas).toBeGreaterThan(1);
    }
    const [hpa] = ofKind(objects('production'), 'HorizontalPodAutoscaler', hpaSchema);
    expect(hpa?.spec.minReplicas).toBeGreaterThan(1);
  });

  it('should run production Kafka with Strimzi in KRaft mode, the services pointed at it', () => {
    const prod = objects('production');
    const [kafka] = ofKind(prod, 'Kafka', kafkaSchema);
    if (!kafka) throw new Error('production: no Strimzi Kafka');
    expect(kafka.metadata.annotations).toMatchObject({
      'strimzi.io/kraft': 'enabled',
      'strimzi.io/node-pools': 'enabled',
    });
    const pools = ofKind(prod, 'KafkaNodePool', nodePoolSchema);
    expect(pools.every((p) => p.metadata.labels?.['strimzi.io/cluster'] === kafka.metadata.name)).toBe(true);
    expect(pools.flatMap((p) => p.spec.roles).sort()).toEqual(['broker', 'controller']);
    // Strimzi's bootstrap Service is <cluster>-kafka-bootstrap.
    const listener = kafka.spec.kafka.listeners.find((l) => !l.tls);
    expect(appConfig('production').KAFKA_BROKERS).toBe(
      `${kafka.metadata.name}-kafka-bootstrap:${listener?.port ?? 0}`,
    );
  });

  it('should create the event topics with TRIP_EVENTS_PARTITIONS partitions', () => {
    const topics = ofKind(objects('production'), 'KafkaTopic', kafkaTopicSchema);
    const names = eventTopics(appConfig('production').KAFKA_NAMESPACE ?? '');
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(Object.values(names).sort());
    for (const topic of topics) {
      expect([topic.spec.topicName, topic.spec.partitions]).toEqual([
        topic.spec.topicName,
        partitions('production'),
      ]);
      expect(topic.metadata.labels?.['strimzi.io/cluster']).toBe(
        ofKind(objects('production'), 'Kafka', kafkaSchema)[0]?.metadata.name,
      );
    }
  });
});
