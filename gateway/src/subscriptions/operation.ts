import type { Identity } from '@rideshare/common';
import {
  GraphQLError,
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';

export type SubscriptionField = 'tripUpdated' | 'tripOffers';

/** What the gateway needs to serve one subscription: its field, arguments and payload query. */
export interface SubscriptionPlan {
  field: SubscriptionField;
  /** The subscriber: payloads are resolved as them, so authorization holds for every update. */
  identity: Identity;
  /** The key the payload goes under (the alias, if any). */
  responseKey: string;
  args: Record<string, unknown>;
  /**
   * The query that resolves one update for this subscriber through the gateway, like any query:
   * `tripUpdate(code, version)` with the subscriber's own selection.
   */
  payloadQuery: string;
  /** Values of the subscriber's variables that the selection uses. */
  payloadVariables: Record<string, unknown>;
  /**
   * Equal for subscribers whose payloads are identical for the same event: same selection, same
   * variables, same caller (field-level rules may differ per caller). They share one resolution.
   */
  selectionKey: string;
}

const badInput = (message: string, field: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });

function variablesUsed(nodes: Array<FieldNode | FragmentDefinitionNode>): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) visit(node, { Variable: (v) => void names.add(v.name.value) });
  return names;
}

/**
 * Turns a validated subscription operation into its plan. Root arguments are coerced by hand: the
 * document was validated against the schema, so only values need checking.
 */
export function planSubscription(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  identity: Identity,
): SubscriptionPlan {
  const [root, ...rest] = operation.selectionSet.selections;
  if (!root || rest.length > 0 || root.kind !== Kind.FIELD)
    throw badInput('A subscription must select exactly one root field', 'subscription');
  const field = root.name.value;
  if (field !== 'tripUpdated' && field !== 'tripOffers')
    throw badInput(`Unknown subscription field "${field}"`, field);
  const args: Record<string, unknown> = {};
  for (const arg of root.arguments ?? []) {
    const v = arg.value;
    args[arg.name.value] =
      v.kind === Kind.VARIABLE
        ? variables[v.name.value]
        : v.kind === Kind.INT
          ? Number(v.value)
          : v.kind === Kind.NULL
            ? null
            : 'value' in v
              ? v.value
              : undefined;
  }
  const fragments = document.definitions.filter(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
  );
  const selection = root.selectionSet ? print(root.selectionSet) : '';
  const used = variablesUsed([...(root.selectionSet ? [{ ...root, arguments: [] }] : []), ...fragments]);
  const definitions = (operation.variableDefinitions ?? []).filter((d: VariableDefinitionNode) =>
    used.has(d.variable.name.value),
  );
  const payloadVariables = Object.fromEntries(
    definitions.map((d) => [d.variable.name.value, variables[d.variable.name.value]]),
  );
  const declared = ['$__code: ID!', '$__version: Int!', ...definitions.map((d) => print(d))].join(', ');
  const body = field === 'tripUpdated' ? selection : `{ trip ${selection} }`;
  const payloadQuery = `query SubscriptionPayload(${declared}) { tripUpdate(code: $__code, version: $__version) ${body} }\n${fragments.map((f) => print(f)).join('\n')}`;
  return {
    field,
    responseKey: root.alias?.value ?? field,
    args,
    payloadQuery,
    payloadVariables,
    identity,
    selectionKey: `${identity.role}:${identity.code}\u0000${payloadQuery}\u0000${JSON.stringify(payloadVariables)}`,
  };
}
