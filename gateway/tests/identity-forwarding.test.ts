import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { IDENTITY_HEADER, SIGNATURE_HEADER, identityClaim, readIdentity } from '@rideshare/common';
import { signingFetcher } from '../src/gateway';

const SECRET = 'gateway-test-secret-of-16-chars+';
const check = { secret: SECRET, maxAgeMs: 30_000 };

/** A fetcher that records what would go out, and sends nothing. */
function recordingFetcher() {
  const sent: Array<{ url: string; init: FetcherRequestInit }> = [];
  const fetcher: Fetcher = (url, init = {}) => {
    sent.push({ url, init });
    return Promise.reject(new Error('not sent'));
  };
  return { sent, fetcher };
}

describe('signingFetcher', () => {
  it('should sign the claim over the method, path and exact body that go out', async () => {
    const { sent, fetcher } = recordingFetcher();
    const body = JSON.stringify({ query: '{ trips { code } }', variables: {} });
    const claim = identityClaim({ role: 'passenger', code: 'PX1' });
    const call = signingFetcher(fetcher, SECRET)('http://trips:4003/graphql', {
      method: 'POST',
      headers: { [IDENTITY_HEADER]: claim, 'content-type': 'application/json' },
      body,
    });
    await expect(call).rejects.toThrow('not sent');
    expect(sent).toHaveLength(1);
    const headers = sent[0]?.init.headers ?? {};
    expect(headers[SIGNATURE_HEADER]).toEqual(expect.any(String));
    expect(readIdentity(headers, { method: 'POST', target: '/graphql', body }, check)).toEqual({
      role: 'passenger',
      code: 'PX1',
    });
    // The subgraph checks what it received: another body does not carry the signature.
    expect(() => readIdentity(headers, { method: 'POST', target: '/graphql', body: '{}' }, check)).toThrow(
      /not valid for this request/,
    );
  });

  it('should leave a call without a claim (schema loading, health checks) unsigned', async () => {
    const { sent, fetcher } = recordingFetcher();
    const call = signingFetcher(fetcher, SECRET)('http://trips:4003/graphql', { method: 'POST', body: '{}' });
    await expect(call).rejects.toThrow('not sent');
    expect(sent[0]?.init.headers?.[SIGNATURE_HEADER]).toBeUndefined();
  });
});
