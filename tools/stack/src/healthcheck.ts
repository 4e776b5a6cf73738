/**
 * The image's health check: `node dist/healthcheck.js [path]` exits 0 when the service on
 * 127.0.0.1:$PORT answers `path` (default /health/ready) with 2xx within 2 s, else 1. A script
 * rather than an inline `node -e`, so the Dockerfile and docker-compose.yml share one.
 */
const route = process.argv[2] ?? '/health/ready';
const port = process.env.PORT ?? '4000';

fetch(`http://127.0.0.1:${port}${route}`, { signal: AbortSignal.timeout(2_000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
