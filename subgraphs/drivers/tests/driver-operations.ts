/** What the drivers tests send: a car, and the two updates that race on one driver. */
export const car = { make: 'Toyota', model: 'Prius', year: 2021, color: 'Blue', licensePlate: 'ABC123' };

/** The driver the tests create, before anyone knows where it is. */
export const adaMoves = (code: string, isAcceptingRides: boolean) => ({
  _id: code,
  code,
  firstName: 'Ada',
  lastName: 'Moves',
  car,
  location: null,
  isAcceptingRides,
});

/** A driver's app reporting its position. */
export const MOVE =
  'mutation ($code: ID!, $location: GeoPointInput!) { updateDriverLocation(code: $code, location: $location) { code } }';

/** The orchestrator turning a driver's availability on or off. */
export const AVAILABILITY =
  'mutation ($code: ID!, $on: Boolean!) { setDriverAvailability(code: $code, isAcceptingRides: $on) { code } }';
