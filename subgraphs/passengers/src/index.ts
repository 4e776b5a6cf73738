import { runDatabaseService } from '@rideshare/common';
import { createPassengersServer } from './server';

void runDatabaseService('passengers', 4002, createPassengersServer);
