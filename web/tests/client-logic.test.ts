import { ApolloError } from '@apollo/client/core';
import { GraphQLError } from 'graphql';
import { readPeople } from '../src/auth/local-sign-in';
import { sessionFromToken } from '../src/auth/token-claims';
import { problemsOf } from '../src/graphql-errors';
import { distanceKm, PICKUPS } from '../src/trip/places';
import { stepsReached } from '../src/trip/steps';

// The web client's pure logic, without a browser: what it reads from tokens and errors, and the
// steps it shows for a trip's statuses.

const jwt = (claims: object) =>
  ['e30', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'signature'].join('.');

describe('readPeople', () => {
  it('reads each person of the local sign-in listing', () => {
    const ada = { role: 'driver', code: 'AA100', name: 'Ada L', detail: 'red Kia Niro' };
    expect(readPeople({ people: [ada] })).toEqual([ada]);
  });

  it('names the entry it cannot use instead of showing it half-filled', () => {
    expect(() => readPeople({})).toThrow('listed no one');
    expect(() =>
      readPeople({ people: [{ role: 'admin', code: 'A', name: 'Admin', detail: '' }, {}] }),
    ).toThrow('person 2 without a known role');
    expect(() => readPeople({ people: [{ role: 'root', code: 'A', name: 'x', detail: '' }] })).toThrow(
      'person 1',
    );
  });
});

describe('sessionFromToken', () => {
  it('reads role, code and expiry from the payload', () => {
    expect(sessionFromToken(jwt({ role: 'driver', sub: 'AA100', exp: 2_000_000_000 }))).toMatchObject({
      role: 'driver',
      code: 'AA100',
      expiresAt: 2_000_000_000_000,
    });
  });

  it('refuses what the app cannot use, saying why', () => {
    expect(() => sessionFromToken('not-a-jwt')).toThrow('not a JWT');
    expect(() => sessionFromToken('a.%%%.c')).toThrow('not base64url JSON');
    expect(() => sessionFromToken(jwt({ role: 'service', sub: 'x', exp: 1 }))).toThrow('"service"');
    expect(() => sessionFromToken(jwt({ role: 'admin', exp: 1 }))).toThrow('"sub"');
    expect(() => sessionFromToken(jwt({ role: 'admin', sub: 'A' }))).toThrow('"exp"');
  });
});

describe('problemsOf', () => {
  it('keeps the code and the field each GraphQL error names', () => {
    const err = new ApolloError({
      graphQLErrors: [
        new GraphQLError('Invalid input.email: must be an e-mail address', {
          extensions: { code: 'BAD_USER_INPUT', field: 'input.email' },
        }),
      ],
    });
    expect(problemsOf(err)).toEqual([
      {
        message: 'Invalid input.email: must be an e-mail address',
        code: 'BAD_USER_INPUT',
        field: 'input.email',
      },
    ]);
  });

  it("reads a refused request's errors from the body, and the path of a coercion error", () => {
    const message =
      'Variable "$input" got invalid value null at "input.car.year"; Expected non-nullable type "Int!" not to be null.';
    const networkError = Object.assign(new Error('Response not successful: Received status code 400'), {
      result: { errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] },
      statusCode: 400,
    });
    expect(problemsOf(new ApolloError({ networkError }))).toEqual([
      { message, code: 'BAD_USER_INPUT', field: 'input.car.year' },
    ]);
    expect(problemsOf(new ApolloError({ networkError: new Error('fetch failed') }))).toEqual([
      { message: 'The gateway could not be reached: fetch failed' },
    ]);
  });
});

describe('trip steps', () => {
  it('reaches each of the four steps by the statuses behind it', () => {
    expect(stepsReached(['REQUESTED'])).toBe(1);
    expect(stepsReached(['REQUESTED', 'DRIVERS_NOTIFIED', 'DRIVER_ASSIGNED'])).toBe(2);
    expect(stepsReached(['RUNNING'])).toBe(3);
    expect(stepsReached(['COMPLETED'])).toBe(4);
    // An abort keeps the steps reached before it.
    expect(stepsReached(['REQUESTED', 'DRIVER_ASSIGNED', 'ABORTED'])).toBe(2);
    expect(stepsReached(['ABORTED'])).toBe(0);
  });

  it('measures pickup distances along the great circle', () => {
    const [microsoft, hyatt] = PICKUPS;
    if (!microsoft || !hyatt) throw new Error('the reference places are missing');
    expect(distanceKm(microsoft, microsoft)).toBe(0);
    expect(distanceKm(microsoft, hyatt)).toBeGreaterThan(5);
    expect(distanceKm(microsoft, hyatt)).toBeLessThan(6);
  });
});
