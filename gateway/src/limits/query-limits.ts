import {
  Kind,
  getArgumentValues,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Tokens in a document; graphql-js's parser stops at the limit. */
  maxTokens: number;
  maxCost: number;
  /** Cost multiplier of a list field whose size no `limit` argument (value, variable or default) gives. */
  defaultListSize: number;
  /** The largest list a subgraph returns; a bigger `limit` is refused there, so it costs no more. */
  maxListSize: number;
}

/** An operation as it will run: its document (for fragments) and its coerced variable values. */
export interface OperationToMeasure {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variableValues: Readonly<Record<string, unknown>>;
}

const isList = (type: GraphQLType): boolean => isListType(isNonNullType(type) ? type.ofType : type);

/**
 * How many items a list field asks for: its `limit` argument as graphql-js coerces it for execution
 * (a literal, a variable's value or the schema's default), capped at what a subgraph returns.
 */
function listSize(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  op: OperationToMeasure,
  limits: QueryLimits,
): number {
  let limit: unknown;
  try {
    limit = field.args.some((a) => a.name === 'limit')
      ? getArgumentValues(field, node, op.variableValues).limit
      : undefined;
  } catch {
    return limits.maxListSize; // a value graphql-js refuses: execution fails too; count the most
  }
  const size = typeof limit === 'number' ? limit : limits.defaultListSize;
  return Math.min(limits.maxListSize, Math.max(1, size));
}

/**
 * The cost of an operation: 1 per field; a list field multiplies what is below it by its size
 * (listSize). Fragments are expanded and memoised: variables are the operation's, so a fragment costs
 * the same wherever it is spread, and a fragment "bomb" costs what it expands to without being
 * expanded twice. Introspection fields (`__schema`, `__type`, `__typename`) are free, so Sandbox works.
 */
export function operationCost(op: OperationToMeasure, limits: QueryLimits): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of op.document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const memo = new Map<string, number>();

  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const field =
          parent && (isObjectType(parent) || isInterfaceType(parent))
            ? parent.getFields()[selection.name.value]
            : undefined;
        if (!field) {
          total += 1; // unknown to this schema: reported by validation
          continue;
        }
        const below = selection.selectionSet ? costOf(selection.selectionSet, getNamedType(field.type)) : 0;
        const multiplier = isList(field.type) ? listSize(field, selection, op, limits) : 1;
        total += 1 + multiplier * below;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? op.schema.getType(selection.typeCondition.name.value) : parent;
        total += costOf(selection.selectionSet, type ?? parent);
      } else {
        const name = selection.name.value;
        let cached = memo.get(name);
        if (cached === undefined) {
          const fragment = fragments.get(name);
          if (!fragment) continue; // reported by validation
          memo.set(name, 0); // a cycle (also reported by validation) adds nothing
          cached = costOf(
            fragment.selectionSet,
            op.schema.getType(fragment.typeCondition.name.value) ?? parent,
          );
          memo.set(name, cached);
        }
        total += cached;
      }
    }
    return total;
  };

  return costOf(op.operation.selectionSet, op.schema.getRootType(op.operation.operation) ?? undefined);
}
