/**
 * The one fixed identity every comparison peer (stock Apollo gateway, Hive Gateway with either query
 * planner) signs onto its subgraph calls. Our subgraphs answer only calls that carry an identity signed
 * with the shared secret; these peers have no authentication of their own, so they all pass the same
 * admin identity, signed per call with the same helper our gateway uses (@rideshare/common).
 */
import { identityHeaders, readIdentitySecret, type Identity } from '@rideshare/common';

export const PEER_IDENTITY: Identity = { role: 'admin', code: 'BENCH-STOCK' };

/** Returns a signer: each call gives fresh identity headers (the signature carries the time). */
export function peerIdentitySigner(env: NodeJS.ProcessEnv = process.env): () => Record<string, string> {
  const secret = readIdentitySecret(env);
  return () => identityHeaders(PEER_IDENTITY, secret);
}
