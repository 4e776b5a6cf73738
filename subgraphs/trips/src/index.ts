import { runDatabaseService } from '@rideshare/common';
import { createTripsServer, readTripsServerConfig } from './server';

void runDatabaseService('trips', 4003, { config: readTripsServerConfig, build: createTripsServer });
