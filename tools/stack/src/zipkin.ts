import fs from 'node:fs';
import { exportsToZipkin } from '@rideshare/common';
import path from 'node:path';
import { cacheDir, stackDir, stackPorts } from './paths';
import { onPath, runOrThrow } from './proc';
import type { ManagedService } from './service';

/** Zipkin's server with its UI, one executable jar from Maven Central. */
export const ZIPKIN_VERSION = '3.5.1';

const jarDir = () => path.join(cacheDir(), `zipkin-${ZIPKIN_VERSION}`);
const jarFile = () => path.join(jarDir(), `zipkin-server-${ZIPKIN_VERSION}-exec.jar`);
const dataDir = () => path.join(stackDir(), 'zipkin');

/** Where a person looks at traces; `/traces/<id>` opens one. */
export const zipkinUiUrl = (port = stackPorts().zipkin) => `http://127.0.0.1:${port}/zipkin`;

/**
 * The trace backend for local use: Zipkin with in-memory storage (traces live as long as the process),
 * its UI at /zipkin/ and its API at /api/v2/. The services export to it through
 * OTEL_EXPORTER_ZIPKIN_ENDPOINT (common/src/tracing/register.ts).
 */
export const zipkinService: ManagedService = {
  name: 'zipkin',
  envVar: 'OTEL_EXPORTER_ZIPKIN_ENDPOINT',
  get localValue() {
    return `http://127.0.0.1:${stackPorts().zipkin}/api/v2/spans`;
  },
  get ports() {
    return [stackPorts().zipkin];
  },
  describe: () => `Zipkin ${ZIPKIN_VERSION} (Maven Central jar, in-memory storage)`,
  startTimeoutMs: 90_000,
  needed: () => exportsToZipkin(process.env),

  async install() {
    if (fs.existsSync(jarFile())) return;
    if (!onPath('mvn') || !onPath('java'))
      throw new Error(
        'Zipkin needs Java 17+ and Maven on PATH, or set OTEL_EXPORTER_ZIPKIN_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT) to an existing trace backend, or OTEL_SDK_DISABLED=true',
      );
    const tmp = `${jarDir()}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`[stack] fetching Zipkin ${ZIPKIN_VERSION} from Maven Central into ${jarDir()}`);
    await runOrThrow(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:copy',
        `-Dartifact=io.zipkin:zipkin-server:${ZIPKIN_VERSION}:jar:exec`,
        `-DoutputDirectory=${tmp}`,
      ],
      'Zipkin download',
    );
    fs.rmSync(jarDir(), { recursive: true, force: true });
    fs.renameSync(tmp, jarDir());
  },

  async prepare() {
    fs.mkdirSync(dataDir(), { recursive: true });
  },

  command() {
    return {
      cmd: 'java',
      args: [
        `-Xmx${process.env.ZIPKIN_HEAP ?? '512m'}`,
        // Names the stack directory, so `down` knows the process for ours.
        `-Djava.io.tmpdir=${dataDir()}`,
        '-jar',
        jarFile(),
        '--armeria.ports[0].ip=127.0.0.1',
        `--armeria.ports[0].port=${stackPorts().zipkin}`,
        '--armeria.ports[0].protocols=http',
        '--logging.level.root=WARN',
      ],
      env: { STORAGE_TYPE: 'mem', MEM_MAX_SPANS: process.env.ZIPKIN_MAX_SPANS ?? '500000' },
    };
  },

  async healthy(endpoint: string) {
    try {
      const res = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  },
};
