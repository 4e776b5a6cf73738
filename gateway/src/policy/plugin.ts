import type { DocumentNode, GraphQLSchema, OperationDefinitionNode, ValidationRule } from 'graphql';
import type { Identity, VerifiedToken } from '@rideshare/common';
import type { Refusal, Verdict } from './refusal';

/** What a caller presents: the Authorization value (HTTP header, graphql-ws connectionParams) and its address. */
export interface Credentials {
  readonly authorization: string | undefined;
  readonly address: string;
}

/** Who a request is from: an identity, or (HTTP only, until it is refused) an address. */
export type Caller =
  { readonly identity: Identity } | { readonly identity?: undefined; readonly address: string };

/** A client operation, named by the SHA-256 of its text (Apollo's `queryHash`). */
export interface OperationText {
  readonly queryHash: string;
  /** The gateway's own operations (subscription payloads, socket operations it re-runs): not checked. */
  readonly internal: boolean;
}

/**
 * A client operation once parsed, validated and its variables coerced by graphql-js (HTTP: Apollo's
 * didResolveOperation; WebSocket: validateOperation), so checks see the values it will run with.
 */
export interface ResolvedOperation extends OperationText {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variableValues: Readonly<Record<string, unknown>>;
}

/**
 * One piece of the request policy, in the style of Hive Gateway's `useX` plugins: each hook either
 * lets the request go on or refuses it. Transports call the composed policy (./compose), never a piece.
 */
export interface PolicyPlugin {
  readonly name: string;
  /** Names the caller, and until when, from its credentials (HTTP: every request; WebSocket: connection_init). */
  onAuthenticate?: (credentials: Credentials) => Promise<VerifiedToken | Refusal>;
  /** A WebSocket connection opened by an identified caller; `onDisconnect` when it closes. Synchronous: counts are taken at once. */
  onConnect?: (identity: Identity) => Verdict;
  onDisconnect?: (identity: Identity) => void;
  /** Each request: an HTTP request (anonymous ones too, before they are refused) or an operation sent over a socket. */
  onRequest?: (caller: Caller) => Promise<Verdict>;
  /** Before an operation takes a slot on its connection, with how many run there already. Synchronous, like onConnect. */
  onConnectionOperation?: (running: number) => Verdict;
  /** Each client operation, by its text. */
  onOperation?: (operation: OperationText) => Verdict;
  /** Each client operation once resolved, with its coerced variables. */
  onResolvedOperation?: (operation: ResolvedOperation) => Verdict;
  /** The most tokens a document may have: graphql-js's parser stops there (Apollo's parseOptions on HTTP). */
  readonly maxTokens?: number;
  /** Rules validated with graphql's standard ones (Apollo's on HTTP, graphql-js's on WebSocket). */
  readonly validationRules?: readonly ValidationRule[];
}
