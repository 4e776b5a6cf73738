import { graphql } from '../gql';

/** A position, as every document here asks for it. */
export const Point = graphql(`
  fragment Point on GeoPoint {
    latitude
    longitude
  }
`);

/** A driver's car, as the trip page and the admin pages show it. */
export const CarFields = graphql(`
  fragment CarFields on Car {
    make
    model
    year
    color
    licensePlate
  }
`);

export const TripFields = graphql(`
  fragment TripFields on Trip {
    code
    type
    status
    error
    version
    source {
      ...Point
    }
    destination {
      ...Point
    }
    driverLocation {
      ...Point
    }
    driver {
      code
      firstName
      lastName
      car {
        ...CarFields
      }
    }
    requestedAt
    acceptedAt
    startedAt
    endedAt
    durationSeconds
  }
`);

export const TripUpdatedDocument = graphql(`
  subscription TripUpdated($code: ID!, $afterVersion: Int) {
    tripUpdated(code: $code, afterVersion: $afterVersion) {
      event
      version
      occurredAt
      trip {
        ...TripFields
      }
    }
  }
`);

export const RequestTripDocument = graphql(`
  mutation RequestTrip($input: RequestTripInput!) {
    requestTrip(input: $input) {
      ...TripFields
    }
  }
`);

export const CancelTripDocument = graphql(`
  mutation CancelTrip($code: ID!, $reason: String) {
    cancelTrip(code: $code, reason: $reason) {
      code
      status
      error
    }
  }
`);

export const MyTripsDocument = graphql(`
  query MyTrips($code: ID!) {
    passenger(code: $code) {
      code
      firstName
      lastName
      trips(limit: 1) {
        ...TripFields
      }
    }
  }
`);

export const DriverLocationDocument = graphql(`
  subscription DriverMoved($code: ID!) {
    driverLocationUpdated(code: $code) {
      code
      location {
        ...Point
      }
    }
  }
`);
