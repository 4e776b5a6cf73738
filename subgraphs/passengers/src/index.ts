import { runDatabaseService } from '@rideshare/common';
import { createPassengersServer } from './server';

// No settings beyond those every database service reads.
void runDatabaseService('passengers', 4002, { config: () => ({}), build: createPassengersServer });
