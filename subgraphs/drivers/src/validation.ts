import { badInput, requireName } from '@rideshare/common';
import type { CarInput } from './generated/resolvers-types';
import type { CarRecord } from './models';

const MAX_YEAR = new Date().getFullYear() + 1;

export function validateCar(field: string, car: CarInput): CarRecord {
  if (!Number.isInteger(car.year) || car.year < 1950 || car.year > MAX_YEAR) {
    throw badInput(`${field}.year`, `must be between 1950 and ${MAX_YEAR}, got ${car.year}`);
  }
  return {
    make: requireName(`${field}.make`, car.make, 50),
    model: requireName(`${field}.model`, car.model, 50),
    year: car.year,
    color: requireName(`${field}.color`, car.color, 30),
    licensePlate: requireName(`${field}.licensePlate`, car.licensePlate, 15).toUpperCase(),
  };
}
