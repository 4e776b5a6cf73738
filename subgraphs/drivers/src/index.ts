import { runDatabaseService } from '@rideshare/common';
import { createDriversServer, readDriversServerConfig } from './server';

void runDatabaseService('drivers', 4001, { config: readDriversServerConfig, build: createDriversServer });
