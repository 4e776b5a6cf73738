import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { kustomize } from '../../src/kubectl';
import { repoRoot } from '../../src/paths';

/** The parts of the rendered Kubernetes objects the manifest tests look at (zod drops the rest). */
const metadata = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const keyRef = z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() });
export const envVarSchema = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.object({ configMapKeyRef: keyRef.optional(), secretKeyRef: keyRef.optional() }).optional(),
});
export type EnvVar = z.infer<typeof envVarSchema>;
const httpProbe = z.object({
  httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }),
});
const container = z.object({
  name: z.string(),
  image: z.string(),
  command: z.array(z.string()),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })),
  env: z.array(envVarSchema),
  startupProbe: httpProbe.optional(),
  livenessProbe: httpProbe,
  readinessProbe: httpProbe,
  lifecycle: z.object({ preStop: z.object({ exec: z.object({ command: z.array(z.string()) }) }) }).optional(),
  resources: z.object({
    requests: z.object({ cpu: z.string(), memory: z.string() }),
    limits: z.object({ cpu: z.string(), memory: z.string() }),
  }),
  volumeMounts: z.array(
    z.object({ name: z.string(), mountPath: z.string(), subPath: z.string().optional() }),
  ),
});
export type Container = z.infer<typeof container>;
const selector = z.object({ matchLabels: z.record(z.string(), z.string()) });
export const deploymentSchema = z.object({
  kind: z.literal('Deployment'),
  metadata,
  spec: z.object({
    replicas: z.number().optional(),
    selector,
    template: z.object({
      metadata: z.object({ labels: z.record(z.string(), z.string()) }),
      spec: z.object({
        terminationGracePeriodSeconds: z.number(),
        containers: z.array(container).length(1),
        volumes: z.array(
          z.object({ name: z.string(), configMap: z.object({ name: z.string() }).optional() }),
        ),
      }),
    }),
  }),
});
export type Deployment = z.infer<typeof deploymentSchema>;
export const serviceSchema = z.object({
  kind: z.literal('Service'),
  metadata,
  spec: z.object({
    selector: z.record(z.string(), z.string()),
    ports: z.array(z.object({ port: z.number(), targetPort: z.union([z.string(), z.number()]) })),
  }),
});
export const configMapSchema = z.object({
  kind: z.literal('ConfigMap'),
  metadata,
  data: z.record(z.string(), z.string()),
});
export const pdbSchema = z.object({
  kind: z.literal('PodDisruptionBudget'),
  metadata,
  spec: z.object({ selector }),
});
const scaleTargetRef = z.object({ kind: z.string().optional(), name: z.string() });
export const hpaSchema = z.object({
  kind: z.literal('HorizontalPodAutoscaler'),
  metadata,
  spec: z.object({ scaleTargetRef, minReplicas: z.number(), maxReplicas: z.number() }),
});
export const scaledObjectSchema = z.object({
  kind: z.literal('ScaledObject'),
  metadata,
  spec: z.object({
    scaleTargetRef,
    minReplicaCount: z.number(),
    maxReplicaCount: z.number(),
    triggers: z.array(
      z.object({
        type: z.literal('kafka'),
        metadata: z.object({
          bootstrapServersFromEnv: z.string(),
          topic: z.string(),
          consumerGroup: z.string(),
        }),
      }),
    ),
  }),
});
export const kafkaSchema = z.object({
  kind: z.literal('Kafka'),
  metadata,
  spec: z.object({
    kafka: z.object({
      listeners: z.array(z.object({ name: z.string(), port: z.number(), tls: z.boolean() })),
    }),
    entityOperator: z.object({ topicOperator: z.object({}) }),
  }),
});
export const nodePoolSchema = z.object({
  kind: z.literal('KafkaNodePool'),
  metadata,
  spec: z.object({ replicas: z.number(), roles: z.array(z.enum(['controller', 'broker'])) }),
});
export const kafkaTopicSchema = z.object({
  kind: z.literal('KafkaTopic'),
  metadata,
  spec: z.object({ topicName: z.string(), partitions: z.number(), replicas: z.number() }),
});

const anyObject = z.looseObject({ kind: z.string(), metadata });
export type K8sObject = z.infer<typeof anyObject>;

export const k8sDir = path.join(repoRoot, 'deploy', 'k8s');
export const overlays = ['local', 'production'] as const;
export type Overlay = (typeof overlays)[number];

/** Renders an overlay, optionally with the KEDA component, and parses every object in it. */
export async function render(overlay: Overlay, opts: { keda?: boolean } = {}): Promise<K8sObject[]> {
  const overlayDir = path.join(k8sDir, 'overlays', overlay);
  const yaml = opts.keda ? await renderWithKeda(overlayDir) : await kustomize(overlayDir);
  return parseAllDocuments(yaml).map((doc) => anyObject.parse(doc.toJS()));
}

/** As an operator would add it: a kustomization with the overlay as resource and the component. */
async function renderWithKeda(overlayDir: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rideshare-keda-'));
  try {
    // Kustomize takes other kustomizations only by relative path.
    const rel = (to: string) => path.relative(dir, to);
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `resources: [${rel(overlayDir)}]`,
        `components: [${rel(path.join(k8sDir, 'components', 'keda'))}]`,
        '',
      ].join('\n'),
    );
    return await kustomize(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every object of the schema's kind, checked against it. */
export function ofKind<T extends z.ZodType<{ kind: string }>>(
  objects: K8sObject[],
  kind: z.infer<T>['kind'],
  schema: T,
): z.infer<T>[] {
  return objects.filter((o) => o.kind === kind).map((o) => schema.parse(o));
}
