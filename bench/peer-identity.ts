/**
 * The one fixed identity every comparison peer (stock Apollo gateway, Hive Gateway with either query
 * planner) signs onto its subgraph calls. Our subgraphs answer only calls that carry an identity signed
 * with the shared secret; these peers have no authentication of their own, so they all pass the same
 * admin identity, signed per call with the same helper our gateway uses (@rideshare/common).
 */
import { identitySigner, readIdentitySecret, type Identity, type RequestSigner } from '@rideshare/common';

export const PEER_IDENTITY: Identity = { role: 'admin', code: 'BENCH-STOCK' };

/**
 * Returns a signer: each call gives identity headers for that request (the signature covers its time,
 * method, path and body), so the peers must sign where the body bytes exist.
 */
export function peerIdentitySigner(env: NodeJS.ProcessEnv = process.env): RequestSigner {
  return identitySigner(PEER_IDENTITY, readIdentitySecret(env));
}
