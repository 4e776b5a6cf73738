import { runDatabaseService } from '@rideshare/common';
import { createDriversServer } from './server';

void runDatabaseService('drivers', 4001, createDriversServer);
