import { queryLimitsRule, type QueryLimits } from '../limits/query-limits';
import type { PolicyPlugin } from './plugin';

/** Depth, alias and cost limits, as one validation rule (its messages name the limit exceeded). */
export function useQueryLimits(limits: QueryLimits): PolicyPlugin {
  return { name: 'query-limits', validationRules: [queryLimitsRule(limits)] };
}
