# syntax=docker/dockerfile:1
# One image for every process of the system; docker-compose.yml picks the command per service.
# Two stages: the build stage installs everything, compiles each service to one JavaScript bundle
# (`npm run build:services`, dist/<service>.js) and builds the web app (Vite, web/dist); the final stage
# holds production dependencies, the bundles and the schema files they read, and the built app in
# /app/web (the gateway serves it under /app/ when GATEWAY_WEB_DIR names it), and runs plain `node`,
# no TypeScript tooling. The app's own packages (Vue, Apollo) are in its bundles: the final stage has
# no web/package.json, so its install leaves them out.
# tools/stack/tests/image.e2e.ts runs these steps without Docker (tools/stack/src/dockerfile.ts reads
# FROM, WORKDIR, COPY, RUN with cache mounts, ENV, USER, HEALTHCHECK and CMD).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first: the install layer is reused until a package.json or the lock file changes.
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY tools/stack/package.json tools/stack/
COPY testing/package.json testing/
COPY schema/package.json schema/
COPY events/package.json events/
COPY subgraphs/drivers/package.json subgraphs/drivers/
COPY subgraphs/passengers/package.json subgraphs/passengers/
COPY subgraphs/trips/package.json subgraphs/trips/
COPY gateway/package.json gateway/
COPY web/package.json web/
# npm's cache stays out of the image (a BuildKit cache mount), and is reused by the next build.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build:services
RUN npm run build -w web

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY tools/stack/package.json tools/stack/
COPY testing/package.json testing/
COPY schema/package.json schema/
COPY events/package.json events/
COPY subgraphs/drivers/package.json subgraphs/drivers/
COPY subgraphs/passengers/package.json subgraphs/passengers/
COPY subgraphs/trips/package.json subgraphs/trips/
COPY gateway/package.json gateway/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist dist
COPY --from=build /app/web/dist web
USER node
# Every service answers /health/ready on $PORT (compose sets PORT; the gateway's default is 4000).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/healthcheck.js", "/health/ready"]
CMD ["node", "dist/gateway.js"]
