import {
  buildASTSchema,
  getDirectiveValues,
  Kind,
  OperationTypeNode,
  parse,
  validate,
  visit,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { channelPlaceholders } from '@rideshare/common';
import { z } from 'zod';

/** The name of the fragment spread in `resolve` that stands for the subscriber's selection. */
export const PAYLOAD_SPREAD = 'Payload';

/** One live field, read from its `@live` directive in the supergraph (see LIVE.md). */
export interface LiveFieldSpec {
  /** The Subscription field's name. */
  field: string;
  /** Redis channel template: `{arg}` stands for the field's argument `arg`. */
  channel: string;
  /** Run as the subscriber with the field's arguments before anything streams. */
  check: OperationDefinitionNode;
  /** `check` printed once at load: it runs on every subscribe and every resume. */
  checkQuery: string;
  /** The response key of check's root field: the entity's state, for resumable fields. */
  checkRoot: string;
  /** Resolves one update; its `...Payload` spread is replaced by the subscriber's selection. */
  resolve: OperationDefinitionNode;
  /** Response keys from resolve's root down to the selection holding `...Payload`. */
  payloadPath: string[];
  resume?: { argument: string; versionField: string };
  end?: { field: string; values: ReadonlySet<string> };
}

const directiveArgs = z.object({
  channel: z.string().min(1),
  check: z.string().min(1),
  resolve: z.string().min(1),
  resumeAfter: z.string().min(1).optional(),
  versionField: z.string().min(1).optional(),
  endField: z.string().min(1).optional(),
  endValues: z.array(z.string()).min(1).optional(),
});

/** Parses one query of the directive; the message names the field and the argument. */
function queryOf(source: string, what: string): OperationDefinitionNode {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (err) {
    throw new Error(`${what} does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  const [operation, ...more] = document.definitions;
  if (!operation || more.length > 0 || operation.kind !== Kind.OPERATION_DEFINITION)
    throw new Error(`${what} must be exactly one operation`);
  if (operation.operation !== OperationTypeNode.QUERY) throw new Error(`${what} must be a query`);
  return operation;
}

/** Response keys from the root to the selection set holding `...Payload`, or null when absent. */
function pathToPayload(selectionSet: SelectionSetNode, path: string[] = []): string[] | null {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD && selection.name.value === PAYLOAD_SPREAD) return path;
    const nested =
      selection.kind === Kind.FIELD && selection.selectionSet
        ? pathToPayload(selection.selectionSet, [...path, selection.alias?.value ?? selection.name.value])
        : selection.kind === Kind.INLINE_FRAGMENT
          ? pathToPayload(selection.selectionSet, path)
          : null;
    if (nested) return nested;
  }
  return null;
}

/** The operation with its `...Payload` spread replaced by `__typename`, to validate it on its own. */
const withoutPayload = (operation: OperationDefinitionNode): DocumentNode => ({
  kind: Kind.DOCUMENT,
  definitions: [
    visit(operation, {
      FragmentSpread: (node) =>
        node.name.value === PAYLOAD_SPREAD
          ? { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }
          : undefined,
    }),
  ],
});

const variablesOf = (operation: OperationDefinitionNode) =>
  (operation.variableDefinitions ?? []).map((d) => d.variable.name.value);

function specOf(
  field: GraphQLField<unknown, unknown>,
  args: z.infer<typeof directiveArgs>,
  api: GraphQLSchema,
): LiveFieldSpec {
  const argNames = new Set(field.args.map((a) => a.name));
  for (const name of channelPlaceholders(args.channel))
    if (!argNames.has(name)) throw new Error(`channel names {${name}}, which is not an argument`);
  const check = queryOf(args.check, 'check');
  const resolve = queryOf(args.resolve, 'resolve');
  for (const name of variablesOf(check))
    if (!argNames.has(name)) throw new Error(`check uses $${name}, which is not an argument`);
  const checkErrors = validate(api, { kind: Kind.DOCUMENT, definitions: [check] });
  if (checkErrors.length > 0) throw new Error(`check is invalid: ${checkErrors[0]?.message}`);
  const resolveErrors = validate(api, withoutPayload(resolve));
  if (resolveErrors.length > 0) throw new Error(`resolve is invalid: ${resolveErrors[0]?.message}`);
  const payloadPath = pathToPayload(resolve.selectionSet);
  if (!payloadPath) throw new Error(`resolve has no ...${PAYLOAD_SPREAD} spread`);
  const [checkRootField] = check.selectionSet.selections;
  if (check.selectionSet.selections.length !== 1 || checkRootField?.kind !== Kind.FIELD)
    throw new Error('check must select exactly one root field');
  if (args.resumeAfter !== undefined) {
    if (!argNames.has(args.resumeAfter))
      throw new Error(`resumeAfter names no argument "${args.resumeAfter}"`);
    if (!args.versionField) throw new Error('resumeAfter needs versionField');
  }
  if ((args.endField === undefined) !== (args.endValues === undefined))
    throw new Error('endField and endValues go together');
  return {
    field: field.name,
    channel: args.channel,
    check,
    checkQuery: args.check,
    checkRoot: checkRootField.alias?.value ?? checkRootField.name.value,
    resolve,
    payloadPath,
    ...(args.resumeAfter && args.versionField
      ? { resume: { argument: args.resumeAfter, versionField: args.versionField } }
      : {}),
    ...(args.endField && args.endValues
      ? { end: { field: args.endField, values: new Set(args.endValues) } }
      : {}),
  };
}

export interface LiveFieldSpecs {
  fields: ReadonlyMap<string, LiveFieldSpec>;
  /** Why a Subscription field is not served (a bad or missing directive), by field name. */
  problems: ReadonlyMap<string, string>;
}

/**
 * Reads every Subscription field's `@live` directive from the supergraph (the API schema drops
 * composed directives), coerced by graphql-js, and checks each against the API schema: its channel
 * names arguments, its queries parse and validate, `resolve` has its `...Payload` spread.
 */
export function readLiveFields(supergraphSdl: string, api: GraphQLSchema): LiveFieldSpecs {
  const supergraph = buildASTSchema(parse(supergraphSdl), { assumeValidSDL: true });
  const directive = supergraph.getDirective('live');
  const fields = new Map<string, LiveFieldSpec>();
  const problems = new Map<string, string>();
  const subscription = api.getSubscriptionType();
  const declared = supergraph.getSubscriptionType()?.getFields() ?? {};
  for (const field of Object.values(subscription?.getFields() ?? {})) {
    const node = declared[field.name]?.astNode;
    const values = directive && node ? getDirectiveValues(directive, node) : undefined;
    if (!values) {
      problems.set(field.name, 'it has no @live directive');
      continue;
    }
    try {
      fields.set(field.name, specOf(field, directiveArgs.parse(values), api));
    } catch (err) {
      problems.set(field.name, err instanceof Error ? err.message : String(err));
    }
  }
  return { fields, problems };
}
