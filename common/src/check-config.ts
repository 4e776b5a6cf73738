/**
 * `--check-config`: a service started with it reads and checks every setting as it would at start,
 * prints one JSON line naming the environment variables it read, and exits (0, or 1 with the usual
 * one-line error) without connecting to anything. Operators use it to try a configuration; the
 * compose, image and Kubernetes tests use it to hold each deployment's environment against what the
 * code reads.
 */
export const CHECK_CONFIG_FLAG = '--check-config';

/** What `--check-config` prints. */
export interface ConfigCheckReport {
  service: string;
  reads: string[];
}

/**
 * Runs `read` (every configuration reader of the service, in start order). Without the flag it only
 * returns what `read` returned; with it, `process.env` is watched while `read` runs, the report is
 * printed and the process exits.
 */
export function readConfigOrCheck<C>(service: string, read: () => C, argv = process.argv): C {
  if (!argv.includes(CHECK_CONFIG_FLAG)) return read();
  const reads = new Set<string>();
  const env = process.env;
  process.env = new Proxy(env, {
    get(target, key) {
      if (typeof key === 'string') reads.add(key);
      return Reflect.get(target, key) as unknown;
    },
    has(target, key) {
      if (typeof key === 'string') reads.add(key);
      return Reflect.has(target, key);
    },
  });
  try {
    read();
  } finally {
    process.env = env;
  }
  const report: ConfigCheckReport = { service, reads: [...reads].sort() };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}
