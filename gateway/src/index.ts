import { createLogger, errorFields, handleShutdown } from '@rideshare/common';
import { readGatewayConfig } from './config';
import { createGatewayServer } from './server';

async function main() {
  const log = createLogger('gateway');
  try {
    const config = readGatewayConfig();
    const server = await createGatewayServer(config, log);
    const port = await server.listen(config.port, config.host);
    handleShutdown(log, [() => server.close()]);
    log.notice('listening', { port, url: `http://${config.host}:${port}/graphql` });
  } catch (err) {
    log.error('failed to start', errorFields(err));
    process.exit(1);
  }
}

void main();
