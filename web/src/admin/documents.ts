import { graphql } from '../gql';

export const AdminDriverFields = graphql(`
  fragment AdminDriverFields on Driver {
    code
    firstName
    lastName
    isAcceptingRides
    car {
      ...CarFields
    }
    location {
      ...Point
    }
    createdAt
    updatedAt
  }
`);

export const AdminPassengerFields = graphql(`
  fragment AdminPassengerFields on Passenger {
    code
    firstName
    lastName
    email
    mobileNumber
    createdAt
    updatedAt
  }
`);

export const AdminDriversDocument = graphql(`
  query AdminDrivers {
    drivers(limit: 200) {
      ...AdminDriverFields
    }
  }
`);

export const AdminCreateDriverDocument = graphql(`
  mutation AdminCreateDriver($input: CreateDriverInput!) {
    createDriver(input: $input) {
      ...AdminDriverFields
    }
  }
`);

export const AdminUpdateDriverDocument = graphql(`
  mutation AdminUpdateDriver($code: ID!, $input: UpdateDriverInput!) {
    updateDriver(code: $code, input: $input) {
      ...AdminDriverFields
    }
  }
`);

export const AdminPassengersDocument = graphql(`
  query AdminPassengers {
    passengers(limit: 200) {
      ...AdminPassengerFields
    }
  }
`);

export const AdminRegisterPassengerDocument = graphql(`
  mutation AdminRegisterPassenger($input: RegisterPassengerInput!) {
    registerPassenger(input: $input) {
      ...AdminPassengerFields
    }
  }
`);

export const AdminUpdatePassengerDocument = graphql(`
  mutation AdminUpdatePassenger($code: ID!, $input: UpdatePassengerInput!) {
    updatePassenger(code: $code, input: $input) {
      ...AdminPassengerFields
    }
  }
`);

export const AdminTripStatsDocument = graphql(`
  query AdminTripStats {
    tripStats {
      total
      byStatus {
        status
        count
      }
      completed
      aborted
      averageDurationSeconds
      perHour {
        hour
        completed
        aborted
        averageDurationSeconds
      }
    }
  }
`);

export const AdminActiveTripsDocument = graphql(`
  query AdminActiveTrips {
    activeTrips(limit: 50) {
      code
      status
      type
      passenger {
        code
        firstName
        lastName
      }
      driver {
        code
        firstName
        lastName
      }
      requestedAt
    }
  }
`);
