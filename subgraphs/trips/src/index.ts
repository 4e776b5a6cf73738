import { runDatabaseService } from '@rideshare/common';
import { createTripsServer } from './server';

void runDatabaseService('trips', 4003, createTripsServer);
