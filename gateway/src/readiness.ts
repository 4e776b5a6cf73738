import type { SubgraphConfig } from './config';

export interface SubgraphHealth {
  name: string;
  ok: boolean;
  error?: string;
}

/** Asks every subgraph a trivial query; ready only when all of them answer. Cached briefly. */
export function createReadinessCheck(subgraphs: SubgraphConfig[], cacheMs = 1_000) {
  let cached: { at: number; result: SubgraphHealth[] } | undefined;
  const probe = async ({ name, url }: SubgraphConfig): Promise<SubgraphHealth> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await res.json()) as { data?: { __typename?: string } };
      return body.data?.__typename === 'Query'
        ? { name, ok: true }
        : { name, ok: false, error: `HTTP ${res.status}` };
    } catch (err) {
      return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
  return async (): Promise<SubgraphHealth[]> => {
    if (cached && Date.now() - cached.at < cacheMs) return cached.result;
    const result = await Promise.all(subgraphs.map(probe));
    cached = { at: Date.now(), result };
    return result;
  };
}
