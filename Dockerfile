# One image for every service of the system; docker-compose.yml picks the entry point per service.
# Services run from TypeScript source with tsx, exactly as `npm start` runs them.
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
RUN npm ci --no-audit --no-fund
COPY . .
USER node
CMD ["node", "--import", "tsx", "gateway/src/index.ts"]
