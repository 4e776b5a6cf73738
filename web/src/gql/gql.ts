/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment AdminDriverFields on Driver {\n    code\n    firstName\n    lastName\n    isAcceptingRides\n    car {\n      ...CarFields\n    }\n    location {\n      ...Point\n    }\n    createdAt\n    updatedAt\n  }\n": typeof types.AdminDriverFieldsFragmentDoc,
    "\n  fragment AdminPassengerFields on Passenger {\n    code\n    firstName\n    lastName\n    email\n    mobileNumber\n    createdAt\n    updatedAt\n  }\n": typeof types.AdminPassengerFieldsFragmentDoc,
    "\n  query AdminDrivers {\n    drivers(limit: 200) {\n      ...AdminDriverFields\n    }\n  }\n": typeof types.AdminDriversDocument,
    "\n  mutation AdminCreateDriver($input: CreateDriverInput!) {\n    createDriver(input: $input) {\n      ...AdminDriverFields\n    }\n  }\n": typeof types.AdminCreateDriverDocument,
    "\n  mutation AdminUpdateDriver($code: ID!, $input: UpdateDriverInput!) {\n    updateDriver(code: $code, input: $input) {\n      ...AdminDriverFields\n    }\n  }\n": typeof types.AdminUpdateDriverDocument,
    "\n  query AdminPassengers {\n    passengers(limit: 200) {\n      ...AdminPassengerFields\n    }\n  }\n": typeof types.AdminPassengersDocument,
    "\n  mutation AdminRegisterPassenger($input: RegisterPassengerInput!) {\n    registerPassenger(input: $input) {\n      ...AdminPassengerFields\n    }\n  }\n": typeof types.AdminRegisterPassengerDocument,
    "\n  mutation AdminUpdatePassenger($code: ID!, $input: UpdatePassengerInput!) {\n    updatePassenger(code: $code, input: $input) {\n      ...AdminPassengerFields\n    }\n  }\n": typeof types.AdminUpdatePassengerDocument,
    "\n  query AdminTripStats {\n    tripStats {\n      total\n      byStatus {\n        status\n        count\n      }\n      completed\n      aborted\n      averageDurationSeconds\n      perHour {\n        hour\n        completed\n        aborted\n        averageDurationSeconds\n      }\n    }\n  }\n": typeof types.AdminTripStatsDocument,
    "\n  query AdminActiveTrips {\n    activeTrips(limit: 50) {\n      code\n      status\n      type\n      passenger {\n        code\n        firstName\n        lastName\n      }\n      driver {\n        code\n        firstName\n        lastName\n      }\n      requestedAt\n    }\n  }\n": typeof types.AdminActiveTripsDocument,
    "\n  fragment Point on GeoPoint {\n    latitude\n    longitude\n  }\n": typeof types.PointFragmentDoc,
    "\n  fragment CarFields on Car {\n    make\n    model\n    year\n    color\n    licensePlate\n  }\n": typeof types.CarFieldsFragmentDoc,
    "\n  fragment TripFields on Trip {\n    code\n    type\n    status\n    error\n    version\n    source {\n      ...Point\n    }\n    destination {\n      ...Point\n    }\n    driverLocation {\n      ...Point\n    }\n    driver {\n      code\n      firstName\n      lastName\n      car {\n        ...CarFields\n      }\n    }\n    requestedAt\n    acceptedAt\n    startedAt\n    endedAt\n    durationSeconds\n  }\n": typeof types.TripFieldsFragmentDoc,
    "\n  subscription TripUpdated($code: ID!, $afterVersion: Int) {\n    tripUpdated(code: $code, afterVersion: $afterVersion) {\n      event\n      version\n      occurredAt\n      trip {\n        ...TripFields\n      }\n    }\n  }\n": typeof types.TripUpdatedDocument,
    "\n  mutation RequestTrip($input: RequestTripInput!) {\n    requestTrip(input: $input) {\n      ...TripFields\n    }\n  }\n": typeof types.RequestTripDocument,
    "\n  mutation CancelTrip($code: ID!, $reason: String) {\n    cancelTrip(code: $code, reason: $reason) {\n      code\n      status\n      error\n    }\n  }\n": typeof types.CancelTripDocument,
    "\n  query MyTrips($code: ID!) {\n    passenger(code: $code) {\n      code\n      firstName\n      lastName\n      trips(limit: 1) {\n        ...TripFields\n      }\n    }\n  }\n": typeof types.MyTripsDocument,
    "\n  subscription DriverMoved($code: ID!) {\n    driverLocationUpdated(code: $code) {\n      code\n      location {\n        ...Point\n      }\n    }\n  }\n": typeof types.DriverMovedDocument,
    "\n  query DriverConsole($code: ID!) {\n    driver(code: $code) {\n      code\n      firstName\n      lastName\n      isAcceptingRides\n      location {\n        ...Point\n      }\n      car {\n        ...CarFields\n      }\n      currentTrip {\n        ...TripFields\n      }\n    }\n  }\n": typeof types.DriverConsoleDocument,
    "\n  subscription TripOffers($driverCode: ID!) {\n    tripOffers(driverCode: $driverCode) {\n      code\n      type\n      status\n      requestedAt\n      source {\n        ...Point\n      }\n      destination {\n        ...Point\n      }\n    }\n  }\n": typeof types.TripOffersDocument,
    "\n  mutation AcceptTrip($code: ID!, $driverCode: ID!) {\n    acceptTrip(code: $code, driverCode: $driverCode) {\n      ...TripFields\n    }\n  }\n": typeof types.AcceptTripDocument,
    "\n  mutation SetAvailability($code: ID!, $isAcceptingRides: Boolean!) {\n    setDriverAvailability(code: $code, isAcceptingRides: $isAcceptingRides) {\n      code\n      isAcceptingRides\n    }\n  }\n": typeof types.SetAvailabilityDocument,
};
const documents: Documents = {
    "\n  fragment AdminDriverFields on Driver {\n    code\n    firstName\n    lastName\n    isAcceptingRides\n    car {\n      ...CarFields\n    }\n    location {\n      ...Point\n    }\n    createdAt\n    updatedAt\n  }\n": types.AdminDriverFieldsFragmentDoc,
    "\n  fragment AdminPassengerFields on Passenger {\n    code\n    firstName\n    lastName\n    email\n    mobileNumber\n    createdAt\n    updatedAt\n  }\n": types.AdminPassengerFieldsFragmentDoc,
    "\n  query AdminDrivers {\n    drivers(limit: 200) {\n      ...AdminDriverFields\n    }\n  }\n": types.AdminDriversDocument,
    "\n  mutation AdminCreateDriver($input: CreateDriverInput!) {\n    createDriver(input: $input) {\n      ...AdminDriverFields\n    }\n  }\n": types.AdminCreateDriverDocument,
    "\n  mutation AdminUpdateDriver($code: ID!, $input: UpdateDriverInput!) {\n    updateDriver(code: $code, input: $input) {\n      ...AdminDriverFields\n    }\n  }\n": types.AdminUpdateDriverDocument,
    "\n  query AdminPassengers {\n    passengers(limit: 200) {\n      ...AdminPassengerFields\n    }\n  }\n": types.AdminPassengersDocument,
    "\n  mutation AdminRegisterPassenger($input: RegisterPassengerInput!) {\n    registerPassenger(input: $input) {\n      ...AdminPassengerFields\n    }\n  }\n": types.AdminRegisterPassengerDocument,
    "\n  mutation AdminUpdatePassenger($code: ID!, $input: UpdatePassengerInput!) {\n    updatePassenger(code: $code, input: $input) {\n      ...AdminPassengerFields\n    }\n  }\n": types.AdminUpdatePassengerDocument,
    "\n  query AdminTripStats {\n    tripStats {\n      total\n      byStatus {\n        status\n        count\n      }\n      completed\n      aborted\n      averageDurationSeconds\n      perHour {\n        hour\n        completed\n        aborted\n        averageDurationSeconds\n      }\n    }\n  }\n": types.AdminTripStatsDocument,
    "\n  query AdminActiveTrips {\n    activeTrips(limit: 50) {\n      code\n      status\n      type\n      passenger {\n        code\n        firstName\n        lastName\n      }\n      driver {\n        code\n        firstName\n        lastName\n      }\n      requestedAt\n    }\n  }\n": types.AdminActiveTripsDocument,
    "\n  fragment Point on GeoPoint {\n    latitude\n    longitude\n  }\n": types.PointFragmentDoc,
    "\n  fragment CarFields on Car {\n    make\n    model\n    year\n    color\n    licensePlate\n  }\n": types.CarFieldsFragmentDoc,
    "\n  fragment TripFields on Trip {\n    code\n    type\n    status\n    error\n    version\n    source {\n      ...Point\n    }\n    destination {\n      ...Point\n    }\n    driverLocation {\n      ...Point\n    }\n    driver {\n      code\n      firstName\n      lastName\n      car {\n        ...CarFields\n      }\n    }\n    requestedAt\n    acceptedAt\n    startedAt\n    endedAt\n    durationSeconds\n  }\n": types.TripFieldsFragmentDoc,
    "\n  subscription TripUpdated($code: ID!, $afterVersion: Int) {\n    tripUpdated(code: $code, afterVersion: $afterVersion) {\n      event\n      version\n      occurredAt\n      trip {\n        ...TripFields\n      }\n    }\n  }\n": types.TripUpdatedDocument,
    "\n  mutation RequestTrip($input: RequestTripInput!) {\n    requestTrip(input: $input) {\n      ...TripFields\n    }\n  }\n": types.RequestTripDocument,
    "\n  mutation CancelTrip($code: ID!, $reason: String) {\n    cancelTrip(code: $code, reason: $reason) {\n      code\n      status\n      error\n    }\n  }\n": types.CancelTripDocument,
    "\n  query MyTrips($code: ID!) {\n    passenger(code: $code) {\n      code\n      firstName\n      lastName\n      trips(limit: 1) {\n        ...TripFields\n      }\n    }\n  }\n": types.MyTripsDocument,
    "\n  subscription DriverMoved($code: ID!) {\n    driverLocationUpdated(code: $code) {\n      code\n      location {\n        ...Point\n      }\n    }\n  }\n": types.DriverMovedDocument,
    "\n  query DriverConsole($code: ID!) {\n    driver(code: $code) {\n      code\n      firstName\n      lastName\n      isAcceptingRides\n      location {\n        ...Point\n      }\n      car {\n        ...CarFields\n      }\n      currentTrip {\n        ...TripFields\n      }\n    }\n  }\n": types.DriverConsoleDocument,
    "\n  subscription TripOffers($driverCode: ID!) {\n    tripOffers(driverCode: $driverCode) {\n      code\n      type\n      status\n      requestedAt\n      source {\n        ...Point\n      }\n      destination {\n        ...Point\n      }\n    }\n  }\n": types.TripOffersDocument,
    "\n  mutation AcceptTrip($code: ID!, $driverCode: ID!) {\n    acceptTrip(code: $code, driverCode: $driverCode) {\n      ...TripFields\n    }\n  }\n": types.AcceptTripDocument,
    "\n  mutation SetAvailability($code: ID!, $isAcceptingRides: Boolean!) {\n    setDriverAvailability(code: $code, isAcceptingRides: $isAcceptingRides) {\n      code\n      isAcceptingRides\n    }\n  }\n": types.SetAvailabilityDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AdminDriverFields on Driver {\n    code\n    firstName\n    lastName\n    isAcceptingRides\n    car {\n      ...CarFields\n    }\n    location {\n      ...Point\n    }\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment AdminDriverFields on Driver {\n    code\n    firstName\n    lastName\n    isAcceptingRides\n    car {\n      ...CarFields\n    }\n    location {\n      ...Point\n    }\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AdminPassengerFields on Passenger {\n    code\n    firstName\n    lastName\n    email\n    mobileNumber\n    createdAt\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment AdminPassengerFields on Passenger {\n    code\n    firstName\n    lastName\n    email\n    mobileNumber\n    createdAt\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminDrivers {\n    drivers(limit: 200) {\n      ...AdminDriverFields\n    }\n  }\n"): (typeof documents)["\n  query AdminDrivers {\n    drivers(limit: 200) {\n      ...AdminDriverFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminCreateDriver($input: CreateDriverInput!) {\n    createDriver(input: $input) {\n      ...AdminDriverFields\n    }\n  }\n"): (typeof documents)["\n  mutation AdminCreateDriver($input: CreateDriverInput!) {\n    createDriver(input: $input) {\n      ...AdminDriverFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminUpdateDriver($code: ID!, $input: UpdateDriverInput!) {\n    updateDriver(code: $code, input: $input) {\n      ...AdminDriverFields\n    }\n  }\n"): (typeof documents)["\n  mutation AdminUpdateDriver($code: ID!, $input: UpdateDriverInput!) {\n    updateDriver(code: $code, input: $input) {\n      ...AdminDriverFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminPassengers {\n    passengers(limit: 200) {\n      ...AdminPassengerFields\n    }\n  }\n"): (typeof documents)["\n  query AdminPassengers {\n    passengers(limit: 200) {\n      ...AdminPassengerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRegisterPassenger($input: RegisterPassengerInput!) {\n    registerPassenger(input: $input) {\n      ...AdminPassengerFields\n    }\n  }\n"): (typeof documents)["\n  mutation AdminRegisterPassenger($input: RegisterPassengerInput!) {\n    registerPassenger(input: $input) {\n      ...AdminPassengerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminUpdatePassenger($code: ID!, $input: UpdatePassengerInput!) {\n    updatePassenger(code: $code, input: $input) {\n      ...AdminPassengerFields\n    }\n  }\n"): (typeof documents)["\n  mutation AdminUpdatePassenger($code: ID!, $input: UpdatePassengerInput!) {\n    updatePassenger(code: $code, input: $input) {\n      ...AdminPassengerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminTripStats {\n    tripStats {\n      total\n      byStatus {\n        status\n        count\n      }\n      completed\n      aborted\n      averageDurationSeconds\n      perHour {\n        hour\n        completed\n        aborted\n        averageDurationSeconds\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminTripStats {\n    tripStats {\n      total\n      byStatus {\n        status\n        count\n      }\n      completed\n      aborted\n      averageDurationSeconds\n      perHour {\n        hour\n        completed\n        aborted\n        averageDurationSeconds\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminActiveTrips {\n    activeTrips(limit: 50) {\n      code\n      status\n      type\n      passenger {\n        code\n        firstName\n        lastName\n      }\n      driver {\n        code\n        firstName\n        lastName\n      }\n      requestedAt\n    }\n  }\n"): (typeof documents)["\n  query AdminActiveTrips {\n    activeTrips(limit: 50) {\n      code\n      status\n      type\n      passenger {\n        code\n        firstName\n        lastName\n      }\n      driver {\n        code\n        firstName\n        lastName\n      }\n      requestedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment Point on GeoPoint {\n    latitude\n    longitude\n  }\n"): (typeof documents)["\n  fragment Point on GeoPoint {\n    latitude\n    longitude\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CarFields on Car {\n    make\n    model\n    year\n    color\n    licensePlate\n  }\n"): (typeof documents)["\n  fragment CarFields on Car {\n    make\n    model\n    year\n    color\n    licensePlate\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TripFields on Trip {\n    code\n    type\n    status\n    error\n    version\n    source {\n      ...Point\n    }\n    destination {\n      ...Point\n    }\n    driverLocation {\n      ...Point\n    }\n    driver {\n      code\n      firstName\n      lastName\n      car {\n        ...CarFields\n      }\n    }\n    requestedAt\n    acceptedAt\n    startedAt\n    endedAt\n    durationSeconds\n  }\n"): (typeof documents)["\n  fragment TripFields on Trip {\n    code\n    type\n    status\n    error\n    version\n    source {\n      ...Point\n    }\n    destination {\n      ...Point\n    }\n    driverLocation {\n      ...Point\n    }\n    driver {\n      code\n      firstName\n      lastName\n      car {\n        ...CarFields\n      }\n    }\n    requestedAt\n    acceptedAt\n    startedAt\n    endedAt\n    durationSeconds\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TripUpdated($code: ID!, $afterVersion: Int) {\n    tripUpdated(code: $code, afterVersion: $afterVersion) {\n      event\n      version\n      occurredAt\n      trip {\n        ...TripFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription TripUpdated($code: ID!, $afterVersion: Int) {\n    tripUpdated(code: $code, afterVersion: $afterVersion) {\n      event\n      version\n      occurredAt\n      trip {\n        ...TripFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestTrip($input: RequestTripInput!) {\n    requestTrip(input: $input) {\n      ...TripFields\n    }\n  }\n"): (typeof documents)["\n  mutation RequestTrip($input: RequestTripInput!) {\n    requestTrip(input: $input) {\n      ...TripFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelTrip($code: ID!, $reason: String) {\n    cancelTrip(code: $code, reason: $reason) {\n      code\n      status\n      error\n    }\n  }\n"): (typeof documents)["\n  mutation CancelTrip($code: ID!, $reason: String) {\n    cancelTrip(code: $code, reason: $reason) {\n      code\n      status\n      error\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyTrips($code: ID!) {\n    passenger(code: $code) {\n      code\n      firstName\n      lastName\n      trips(limit: 1) {\n        ...TripFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyTrips($code: ID!) {\n    passenger(code: $code) {\n      code\n      firstName\n      lastName\n      trips(limit: 1) {\n        ...TripFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DriverMoved($code: ID!) {\n    driverLocationUpdated(code: $code) {\n      code\n      location {\n        ...Point\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription DriverMoved($code: ID!) {\n    driverLocationUpdated(code: $code) {\n      code\n      location {\n        ...Point\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DriverConsole($code: ID!) {\n    driver(code: $code) {\n      code\n      firstName\n      lastName\n      isAcceptingRides\n      location {\n        ...Point\n      }\n      car {\n        ...CarFields\n      }\n      currentTrip {\n        ...TripFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query DriverConsole($code: ID!) {\n    driver(code: $code) {\n      code\n      firstName\n      lastName\n      isAcceptingRides\n      location {\n        ...Point\n      }\n      car {\n        ...CarFields\n      }\n      currentTrip {\n        ...TripFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TripOffers($driverCode: ID!) {\n    tripOffers(driverCode: $driverCode) {\n      code\n      type\n      status\n      requestedAt\n      source {\n        ...Point\n      }\n      destination {\n        ...Point\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription TripOffers($driverCode: ID!) {\n    tripOffers(driverCode: $driverCode) {\n      code\n      type\n      status\n      requestedAt\n      source {\n        ...Point\n      }\n      destination {\n        ...Point\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptTrip($code: ID!, $driverCode: ID!) {\n    acceptTrip(code: $code, driverCode: $driverCode) {\n      ...TripFields\n    }\n  }\n"): (typeof documents)["\n  mutation AcceptTrip($code: ID!, $driverCode: ID!) {\n    acceptTrip(code: $code, driverCode: $driverCode) {\n      ...TripFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetAvailability($code: ID!, $isAcceptingRides: Boolean!) {\n    setDriverAvailability(code: $code, isAcceptingRides: $isAcceptingRides) {\n      code\n      isAcceptingRides\n    }\n  }\n"): (typeof documents)["\n  mutation SetAvailability($code: ID!, $isAcceptingRides: Boolean!) {\n    setDriverAvailability(code: $code, isAcceptingRides: $isAcceptingRides) {\n      code\n      isAcceptingRides\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;