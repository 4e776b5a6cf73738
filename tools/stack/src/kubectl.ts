import { execFile } from 'node:child_process';
import { aptInstall, onPath } from './proc';

/**
 * kubectl, for rendering the kustomize manifests (deploy/k8s) offline: no cluster is needed. Installed
 * from Debian's packages when missing and running as root, as the stack installs Redis.
 */
export async function ensureKubectl(): Promise<string> {
  const found = onPath('kubectl');
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error('kubectl is not installed: run `sudo apt-get install kubectl`');
  console.log('[stack] installing kubectl');
  await aptInstall(['kubectl'], 'kubectl install');
  const installed = onPath('kubectl');
  if (!installed) throw new Error('kubectl install: apt-get succeeded but kubectl is not on PATH');
  return installed;
}

/**
 * `kubectl kustomize DIR`: the manifests a kustomization renders, as YAML. Files outside a
 * kustomization's folder are allowed: the base generates the supergraph ConfigMap from
 * schema/supergraph.graphql itself.
 */
export async function kustomize(dir: string): Promise<string> {
  const kubectl = await ensureKubectl();
  return new Promise((resolve, reject) => {
    execFile(
      kubectl,
      ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', dir],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`kubectl kustomize ${dir}: ${stderr.trim() || err.message}`))
          : resolve(stdout),
    );
  });
}
