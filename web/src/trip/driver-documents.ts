import { graphql } from '../gql';

export const DriverConsoleDocument = graphql(`
  query DriverConsole($code: ID!) {
    driver(code: $code) {
      code
      firstName
      lastName
      isAcceptingRides
      location {
        ...Point
      }
      car {
        ...CarFields
      }
      currentTrip {
        ...TripFields
      }
    }
  }
`);

export const TripOffersDocument = graphql(`
  subscription TripOffers($driverCode: ID!) {
    tripOffers(driverCode: $driverCode) {
      code
      type
      status
      requestedAt
      source {
        ...Point
      }
      destination {
        ...Point
      }
    }
  }
`);

export const AcceptTripDocument = graphql(`
  mutation AcceptTrip($code: ID!, $driverCode: ID!) {
    acceptTrip(code: $code, driverCode: $driverCode) {
      ...TripFields
    }
  }
`);

export const SetAvailabilityDocument = graphql(`
  mutation SetAvailability($code: ID!, $isAcceptingRides: Boolean!) {
    setDriverAvailability(code: $code, isAcceptingRides: $isAcceptingRides) {
      code
      isAcceptingRides
    }
  }
`);
