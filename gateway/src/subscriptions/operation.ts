import type { Identity } from '@rideshare/common';
import {
  GraphQLError,
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { PAYLOAD_SPREAD, type LiveFieldSpec } from './live-directive';

/** What the gateway needs to serve one subscription: its live field, arguments and payload query. */
export interface SubscriptionPlan {
  live: LiveFieldSpec;
  /** The subscriber: payloads are resolved as them, so authorization holds for every update. */
  identity: Identity;
  /** The key the payload goes under (the alias, if any). */
  responseKey: string;
  /** The root field's arguments, coerced by graphql-js. */
  args: Record<string, unknown>;
  /** The field's `resolve` query with the subscriber's selection in place of `...Payload`. */
  payloadQuery: string;
  /** Values of the subscriber's variables that the selection uses. */
  payloadVariables: Record<string, unknown>;
  /**
   * Equal for subscribers whose payloads are identical for the same event: same selection, same
   * variables, same caller (field-level rules may differ per caller). They share one resolution.
   */
  selectionKey: string;
}

/** The resolve query's own variables are renamed with this prefix, so they never meet the subscriber's. */
export const OWN_VARIABLE = '__live_';

const badInput = (message: string, field: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field } });

function variablesUsed(nodes: Array<FieldNode | FragmentDefinitionNode>): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) visit(node, { Variable: (v) => void names.add(v.name.value) });
  return names;
}

/** `resolve` with its variables prefixed, the subscriber's selection spliced in, and their variables. */
function payloadOperation(
  resolve: OperationDefinitionNode,
  root: FieldNode,
  definitions: readonly VariableDefinitionNode[],
): OperationDefinitionNode {
  const spliced = visit(resolve, {
    Variable: (node) => ({ ...node, name: { ...node.name, value: OWN_VARIABLE + node.name.value } }),
    FragmentSpread: (node) =>
      node.name.value === PAYLOAD_SPREAD
        ? {
            kind: Kind.INLINE_FRAGMENT,
            selectionSet: root.selectionSet ?? {
              kind: Kind.SELECTION_SET,
              selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }],
            },
          }
        : undefined,
  });
  return {
    ...spliced,
    name: { kind: Kind.NAME, value: 'SubscriptionPayload' },
    variableDefinitions: [...(spliced.variableDefinitions ?? []), ...definitions],
  };
}

/**
 * Turns a validated subscription operation into its plan. Root arguments are coerced by graphql-js
 * (`getArgumentValues`, as execution would); the live field comes from the supergraph's `@live`.
 */
export function planSubscription(
  schema: GraphQLSchema,
  live: (field: string) => LiveFieldSpec | string,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  identity: Identity,
): SubscriptionPlan {
  const [root, ...rest] = operation.selectionSet.selections;
  if (!root || rest.length > 0 || root.kind !== Kind.FIELD)
    throw badInput('A subscription must select exactly one root field', 'subscription');
  const field = root.name.value;
  const spec = live(field);
  const fieldDef = schema.getSubscriptionType()?.getFields()[field];
  if (typeof spec === 'string' || !fieldDef)
    throw badInput(
      `Unknown subscription field "${field}"${typeof spec === 'string' ? `: ${spec}` : ''}`,
      field,
    );
  const args = getArgumentValues(fieldDef, root, variables);
  if (spec.resume) {
    const after = args[spec.resume.argument];
    if (
      after !== undefined &&
      after !== null &&
      !(typeof after === 'number' && Number.isInteger(after) && after >= 0)
    )
      throw badInput(
        `Invalid ${spec.resume.argument}: must be a non-negative integer, got ${JSON.stringify(after)}`,
        spec.resume.argument,
      );
  }
  const fragments = document.definitions.filter(
    (d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION,
  );
  const used = variablesUsed([...(root.selectionSet ? [{ ...root, arguments: [] }] : []), ...fragments]);
  const definitions = (operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value));
  const payloadVariables = Object.fromEntries(
    definitions.map((d) => [d.variable.name.value, variables[d.variable.name.value]]),
  );
  const payloadQuery = [payloadOperation(spec.resolve, root, definitions), ...fragments]
    .map((d) => print(d))
    .join('\n');
  return {
    live: spec,
    responseKey: root.alias?.value ?? field,
    args,
    payloadQuery,
    payloadVariables,
    identity,
    selectionKey: `${identity.role}:${identity.code}\u0000${payloadQuery}\u0000${JSON.stringify(payloadVariables)}`,
  };
}
