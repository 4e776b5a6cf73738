import { execFile } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { repoRoot } from './paths';
import { appServices, type AppServiceName } from './services';

const reportSchema = z.object({ service: z.string(), reads: z.array(z.string()) });

export type ConfigCheck = { ok: true; reads: string[] } | { ok: false; error: string };

/**
 * Runs a service with `--check-config` (common/src/check-config.ts) in exactly `env` (plus PATH):
 * which variables it reads, or the one-line error its configuration fails with. Nothing connects.
 * `command` is how the deployment starts it (the image's, say); by default as `npm start` does.
 */
export function checkServiceConfig(
  name: AppServiceName,
  env: Record<string, string>,
  command: { file: string; args: string[]; cwd: string } = {
    file: process.execPath,
    args: ['--import', 'tsx', entryOf(name)],
    cwd: repoRoot,
  },
): Promise<ConfigCheck> {
  return new Promise((resolve, reject) => {
    execFile(
      command.file,
      [...command.args, '--check-config'],
      { cwd: command.cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const lines = stdout.trim().split('\n').filter(Boolean);
        const last = lines[lines.length - 1] ?? '';
        if (!err) {
          const report = reportSchema.safeParse(parseJson(last));
          if (report.success) resolve({ ok: true, reads: report.data.reads });
          else reject(new Error(`${name} --check-config printed no report: ${last}`));
          return;
        }
        if (typeof err.code !== 'number') {
          reject(new Error(`${name} --check-config did not run: ${err.message}`));
          return;
        }
        // The logger's one line, e.g. {"msg":"invalid configuration","error":"...: names the variable"}.
        const logged = stderr.trim().split('\n').pop() ?? '';
        const parsed = z.object({ error: z.string() }).safeParse(parseJson(logged));
        resolve({ ok: false, error: parsed.success ? parsed.data.error : logged || err.message });
      },
    );
  });
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

const entryOf = (name: AppServiceName) => {
  const service = appServices.find((s) => s.name === name);
  if (!service) throw new Error(`no service ${name}`);
  return path.join(repoRoot, service.entry);
};

/**
 * The variables a deployment must set for a service, out of those it reads: where the infrastructure
 * and the other services are (their defaults are this machine's loopback) and the address it listens
 * on. Anything else has a default that holds anywhere.
 */
export const deploymentRequired = (reads: string[]): string[] =>
  reads.filter((key) => /^(KAFKA_BROKERS|MONGO_URL|REDIS_URL|HOST)$/.test(key) || /^[A-Z]+_URL$/.test(key));
