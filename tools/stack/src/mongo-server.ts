import { onPath } from './proc';

/** A real mongod on PATH wins over FerretDB. */
export const mongod = () => onPath('mongod');

/**
 * `sqlite` keeps the old embedded back end (for comparison runs); the default is PostgreSQL. Data of one
 * back end is not visible to the other: each keeps its own directory under .stack/.
 */
export function ferretBackend(): 'postgresql' | 'sqlite' {
  const value = process.env.STACK_FERRETDB_BACKEND ?? 'postgresql';
  if (value !== 'postgresql' && value !== 'sqlite')
    throw new Error(`STACK_FERRETDB_BACKEND must be "postgresql" or "sqlite", got "${value}"`);
  return value;
}

/** True when the stack runs FerretDB on its own PostgreSQL (no MONGO_URL, no mongod, the default back end). */
export const needsPostgres = () => !process.env.MONGO_URL && !mongod() && ferretBackend() === 'postgresql';
