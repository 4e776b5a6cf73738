import { createLogger, exitOnStartFailure, handleShutdown, readConfigOrCheck } from '@rideshare/common';
import { readGatewayConfig } from './config';
import { createGatewayServer } from './server';

async function main() {
  const log = createLogger('gateway');
  try {
    // Every setting is read and checked here, before the server connects to Redis or a subgraph.
    const config = readConfigOrCheck('gateway', () => readGatewayConfig());
    const server = await createGatewayServer(config, log);
    const port = await server.listen(config.port, config.host);
    handleShutdown(log, [() => server.close()]);
    log.notice('listening', { port, url: `http://${config.host}:${port}/graphql` });
  } catch (err) {
    exitOnStartFailure(log, err);
  }
}

void main();
