import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { z } from 'zod';
import { fillChannel, type Identity, type Logger } from '@rideshare/common';
import { readLiveFields, type LiveFieldSpec, type LiveFieldSpecs } from './live-directive';
import { planSubscription, type SubscriptionPlan } from './operation';
import type { Execute, PayloadResolver } from './payloads';
import type { RedisFeeds } from './redis-feeds';
import { countedStream } from '../metrics';
import { isEnd, resumableStream, signalStream, type EntityState } from './streams';

export type { SubscriptionPlan };

/** The graph the gateway serves now: its API schema and the supergraph it was built from. */
export interface LoadedGraph {
  apiSchema: GraphQLSchema;
  supergraphSdl: string;
}

/** The check's root field, when it answered an object. */
const stateSchema = z.record(z.string(), z.unknown());

const userError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

const codeOf = (error: { extensions?: Record<string, unknown> }) =>
  typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;

/** The field's arguments that a query of its directive declares as variables. */
const argumentsFor = (operation: OperationDefinitionNode, args: Record<string, unknown>) =>
  Object.fromEntries(
    (operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, args[d.variable.name.value]]),
  );

/**
 * Every live field of the supergraph, planned and streamed from its `@live` directive alone: the
 * gateway knows no subgraph type, field or channel. See LIVE.md.
 */
export function createLiveFields(deps: {
  graph(): LoadedGraph | undefined;
  execute: Execute;
  feeds: RedisFeeds;
  payloads: PayloadResolver;
  log: Logger;
}) {
  const bySchema = new WeakMap<GraphQLSchema, LiveFieldSpecs>();
  const specsFor = (graph: LoadedGraph): LiveFieldSpecs => {
    let specs = bySchema.get(graph.apiSchema);
    if (!specs) {
      specs = readLiveFields(graph.supergraphSdl, graph.apiSchema);
      for (const [field, problem] of specs.problems)
        deps.log.error('subscription field is not served', { field, problem });
      deps.log.debug('live fields', { fields: [...specs.fields.keys()] });
      bySchema.set(graph.apiSchema, specs);
    }
    return specs;
  };

  const runCheck = (plan: SubscriptionPlan) =>
    deps.execute(plan.live.checkQuery, argumentsFor(plan.live.check, plan.args), plan.identity);

  /** A resumable field's entity state: the check's root field, read as the subscriber. */
  const currentState = async (plan: SubscriptionPlan): Promise<EntityState | null> => {
    const live: LiveFieldSpec = plan.live;
    const result = await runCheck(plan);
    const state = stateSchema.safeParse(result.data?.[live.checkRoot]);
    if (state.success) {
      const fields = state.data;
      const version = fields[live.resume?.versionField ?? ''];
      if (typeof version === 'number' && Number.isInteger(version))
        return { version, final: isEnd(live, fields) };
      throw new Error(`the check of ${live.field} answered no integer version`);
    }
    if (result.errors?.some((e) => codeOf(e) === 'NOT_FOUND')) return null;
    throw new Error(`could not read the state of ${live.field}: ${result.errors?.[0]?.message ?? 'no data'}`);
  };

  return {
    /**
     * Plans a validated subscription and runs its check as the subscriber: the same query a client
     * could send, so it answers NOT_FOUND or FORBIDDEN like any other.
     */
    async plan(
      schema: GraphQLSchema,
      document: DocumentNode,
      operation: OperationDefinitionNode,
      variables: Record<string, unknown>,
      identity: Identity,
    ): Promise<{ plan: SubscriptionPlan } | { errors: readonly GraphQLError[] }> {
      const graph = deps.graph();
      if (!graph || graph.apiSchema !== schema)
        return { errors: [userError('The gateway is loading a new schema; retry', 'SERVICE_UNAVAILABLE')] };
      const specs = specsFor(graph);
      let plan: SubscriptionPlan;
      try {
        plan = planSubscription(
          schema,
          (field) => specs.fields.get(field) ?? specs.problems.get(field) ?? 'no such field',
          document,
          operation,
          variables,
          identity,
        );
      } catch (err) {
        return {
          errors: [err instanceof GraphQLError ? err : userError('Invalid subscription', 'BAD_USER_INPUT')],
        };
      }
      const checked = await runCheck(plan);
      if (checked.errors?.length)
        return { errors: checked.errors.map((e) => userError(e.message, codeOf(e) ?? 'BAD_USER_INPUT')) };
      return { plan };
    },
    /** The subscriber's stream of updates. */
    stream(plan: SubscriptionPlan) {
      const channel = fillChannel(plan.live.channel, plan.args);
      const streamDeps = { feeds: deps.feeds, payloads: deps.payloads, currentState };
      return countedStream(
        plan.live.field,
        plan.live.resume
          ? resumableStream(streamDeps, plan, channel)
          : signalStream(streamDeps, plan, channel),
      );
    },
  };
}

export type LiveFields = ReturnType<typeof createLiveFields>;
