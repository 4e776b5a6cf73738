import { validate, type ValidationRule } from 'graphql';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule, type MaxDepthOptions } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { operationCost, type QueryLimits } from '../limits/query-limits';
import type { PolicyPlugin, ResolvedOperation } from './plugin';
import { proceed, refuse, type Verdict } from './refusal';

/** The stable code of each limit, the one clients read (not GRAPHQL_VALIDATION_FAILED). */
export const LIMIT_CODES = {
  depth: 'QUERY_TOO_DEEP',
  aliases: 'TOO_MANY_ALIASES',
  directives: 'TOO_MANY_DIRECTIVES',
  cost: 'QUERY_TOO_COMPLEX',
} as const;

/** The reject callback every armor rule takes. */
type RejectCallback = NonNullable<MaxDepthOptions['onReject']>[number];

interface Violation {
  code: (typeof LIMIT_CODES)[keyof typeof LIMIT_CODES];
  message: string;
}

/**
 * graphql-armor's depth, alias and directive rules, run as plain graphql-js validation rules. They
 * report through onReject instead of throwing; armor prefixes every message with "Syntax Error: ",
 * which these are not.
 */
function armorRules(limits: QueryLimits, found: Violation[]): ValidationRule[] {
  const report =
    (code: Violation['code']): RejectCallback =>
    (_context, error) =>
      found.push({ code, message: error.message.replace(/^Syntax Error: /, '') });
  const common = { exposeLimits: true, propagateOnRejection: false };
  return [
    // Fragments add no level (flattenFragments); `__schema` is free, so Sandbox's introspection runs.
    maxDepthRule({
      ...common,
      n: limits.maxDepth,
      flattenFragments: true,
      ignoreIntrospection: true,
      onReject: [report(LIMIT_CODES.depth)],
    }),
    // Armor allows any number of `__typename` aliases by default: a thousand of them are a bomb too.
    maxAliasesRule({
      ...common,
      n: limits.maxAliases,
      allowList: [],
      onReject: [report(LIMIT_CODES.aliases)],
    }),
    // Armor (2.3.1) counts a fragment's spread directives only at its first spread; the token limit
    // bounds what repeating spreads could add (a directive takes at least two tokens).
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: [report(LIMIT_CODES.directives)] }),
  ];
}

/** The first limit an operation exceeds: depth, aliases, directives, then cost (with its variables). */
export function exceededLimit(op: ResolvedOperation, limits: QueryLimits): Violation | undefined {
  const found: Violation[] = [];
  validate(op.schema, op.document, armorRules(limits, found));
  if (found[0]) return found[0];
  const cost = operationCost(op, limits);
  if (cost > limits.maxCost)
    return { code: LIMIT_CODES.cost, message: `Query cost ${cost} exceeds the limit of ${limits.maxCost}` };
  return undefined;
}

/**
 * Query limits, one implementation for both transports, checked once the operation is resolved and
 * its variables coerced (a `limit` passed as a variable counts what it asks for). The token limit is
 * graphql-js's own, in the parser, before any of this.
 */
export function useQueryLimits(limits: QueryLimits): PolicyPlugin {
  return {
    name: 'query-limits',
    maxTokens: limits.maxTokens,
    onResolvedOperation(op): Verdict {
      if (op.internal) return proceed(); // the gateway's own: built from operations already checked
      const violation = exceededLimit(op, limits);
      return violation ? refuse({ ...violation, httpStatus: 400 }) : proceed();
    },
  };
}
