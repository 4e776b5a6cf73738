import {
  GraphQLError,
  Kind,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type InlineFragmentNode,
  type GraphQLType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  /** Cost multiplier of a list field that has no literal `limit` argument. */
  defaultListSize: number;
  /** The largest list a subgraph returns; a bigger `limit` is refused there, so it costs no more. */
  maxListSize: number;
}

interface Measure {
  depth: number;
  cost: number;
  aliases: number;
}

const isList = (type: GraphQLType): boolean => isListType(isNonNullType(type) ? type.ofType : type);

/** Aliases in a field and below it (each fragment counted once). */
function aliasesIn(
  context: ValidationContext,
  node: FieldNode | InlineFragmentNode | FragmentDefinitionNode,
  seen: Set<string>,
): number {
  let count = node.kind === Kind.FIELD && node.alias ? 1 : 0;
  for (const selection of node.selectionSet?.selections ?? []) {
    if (selection.kind !== Kind.FRAGMENT_SPREAD) count += aliasesIn(context, selection, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += aliasesIn(context, fragment, seen);
    }
  }
  return count;
}

/**
 * Measures an operation: depth (fields nested), cost (1 per field; a list field multiplies what is
 * below it by its literal `limit` argument, else by defaultListSize), and aliases. Fragments are
 * expanded (memoised, so fragment "bombs" cost what they expand to without being expanded twice).
 * Introspection fields (`__schema`, `__type`) are free, so Sandbox keeps working; their aliases count.
 */
function measure(
  context: ValidationContext,
  limits: QueryLimits,
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  memo: Map<string, Measure>,
): Measure {
  const total: Measure = { depth: 0, cost: 0, aliases: 0 };
  const add = (m: Measure) => {
    total.depth = Math.max(total.depth, m.depth);
    total.cost += m.cost;
    total.aliases += m.aliases;
  };
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) {
        // Free and flat, but its aliases count: a thousand aliases of `__typename` are an alias bomb too.
        add({ depth: 0, cost: 0, aliases: aliasesIn(context, selection, new Set()) });
        continue;
      }
      const field =
        parent && (isObjectType(parent) || isInterfaceType(parent))
          ? parent.getFields()[selection.name.value]
          : undefined;
      const below =
        selection.selectionSet && field
          ? measure(context, limits, selection.selectionSet, getNamedType(field.type), memo)
          : { depth: 0, cost: 0, aliases: 0 };
      const limitArg = selection.arguments?.find((a) => a.name.value === 'limit');
      const size = limitArg?.value.kind === Kind.INT ? Number(limitArg.value.value) : limits.defaultListSize;
      const multiplier = field && isList(field.type) ? Math.min(limits.maxListSize, Math.max(1, size)) : 1;
      add({
        depth: below.depth + 1,
        cost: 1 + multiplier * below.cost,
        aliases: below.aliases + (selection.alias ? 1 : 0),
      });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition
        ? context.getSchema().getType(selection.typeCondition.name.value)
        : parent;
      add(measure(context, limits, selection.selectionSet, type ?? parent, memo));
    } else {
      const name = selection.name.value;
      let cached = memo.get(name);
      if (!cached) {
        const fragment: FragmentDefinitionNode | null | undefined = context.getFragment(name);
        if (!fragment) continue; // reported by the standard rules
        memo.set(name, { depth: 0, cost: 0, aliases: 0 }); // a cycle (also reported elsewhere) adds nothing
        cached = measure(
          context,
          limits,
          fragment.selectionSet,
          context.getSchema().getType(fragment.typeCondition.name.value) ?? parent,
          memo,
        );
        memo.set(name, cached);
      }
      add(cached);
    }
  }
  return total;
}

/** One validation rule that rejects operations over the depth, alias or cost limit, naming the limit. */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const root = context.getSchema().getRootType(operation.operation) ?? undefined;
      const m = measure(context, limits, operation.selectionSet, root, new Map());
      const code = { extensions: { code: 'QUERY_TOO_COMPLEX' } };
      if (m.depth > limits.maxDepth)
        context.reportError(
          new GraphQLError(`Query depth ${m.depth} exceeds the limit of ${limits.maxDepth}`, code),
        );
      if (m.aliases > limits.maxAliases)
        context.reportError(
          new GraphQLError(`Query uses ${m.aliases} aliases; the limit is ${limits.maxAliases}`, code),
        );
      if (m.cost > limits.maxCost)
        context.reportError(
          new GraphQLError(`Query cost ${m.cost} exceeds the limit of ${limits.maxCost}`, code),
        );
    },
  });
}
