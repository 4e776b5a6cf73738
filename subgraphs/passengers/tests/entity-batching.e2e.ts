import { describeEntityBatching, numberedPeople } from '@rideshare/testing';
import { createPassengersServer } from '../src/server';

const codes = ['PAS-1', 'PAS-2', 'PAS-3', 'PAS-4', 'PAS-5'];

describeEntityBatching({
  service: 'passengers',
  build: createPassengersServer,
  typename: 'Passenger',
  selection: 'code email',
  documents: numberedPeople(codes, (n) => ({ email: `p${n}@example.com` })),
  requested: ['PAS-3', 'PAS-5', 'PAS-1', 'NOPE-1', 'PAS-4', 'PAS-2', 'PAS-3'],
  expected: [
    { code: 'PAS-3', email: 'p3@example.com' },
    { code: 'PAS-5', email: 'p5@example.com' },
    { code: 'PAS-1', email: 'p1@example.com' },
    null,
    { code: 'PAS-4', email: 'p4@example.com' },
    { code: 'PAS-2', email: 'p2@example.com' },
    { code: 'PAS-3', email: 'p3@example.com' },
  ],
});
