import { requireLimit } from './validate';

/** The most items one list field returns, whatever its `limit` asks for. */
export const MAX_LIST_LIMIT = 200;

/** A list field's `limit` argument: `fallback` when omitted, else checked to be 1..MAX_LIST_LIMIT. */
export const listLimit = (limit: number | null | undefined, fallback: number): number =>
  requireLimit('limit', limit, fallback, MAX_LIST_LIMIT);
