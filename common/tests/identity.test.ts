import {
  ConfigError,
  IDENTITY_HEADER,
  IdentityError,
  SIGNATURE_HEADER,
  identityHeaders,
  identitySignature,
  identitySigner,
  readIdentity,
  readIdentityCheck,
  type SignedRequest,
} from '@rideshare/common';

const SECRET = 'a-test-secret-of-at-least-16-chars';
const check = { secret: SECRET, maxAgeMs: 30_000 };
const NOW = 1_800_000_000_000;
const ADMIN = { role: 'admin', code: 'ADMIN' } as const;
const body = JSON.stringify({ query: '{ trips(limit: 5) { code } }' });
const request: SignedRequest = { method: 'POST', target: '/graphql', body };

/** What the subgraph concludes about headers signed for `request` when it receives `received`. */
const verdict = (headers: Record<string, string>, received: SignedRequest = request, at = NOW) => {
  try {
    return readIdentity(headers, received, check, at);
  } catch (err) {
    if (err instanceof IdentityError) return err.message;
    throw err;
  }
};

describe('subgraph identity headers', () => {
  const headers = identityHeaders(ADMIN, SECRET, request, NOW);

  it('should accept the request they were signed for, within their lifetime', () => {
    expect(verdict(headers)).toEqual(ADMIN);
    expect(verdict(headers, request, NOW + 30_000)).toEqual(ADMIN);
  });

  it('should read no identity when none was sent', () => {
    expect(verdict({})).toBeNull();
  });

  it('should refuse the same headers on a tampered body', () => {
    const tampered = body.replace('limit: 5', 'limit: 200');
    expect(verdict(headers, { ...request, body: tampered })).toMatch(/signature is not valid/);
    // One byte more that JSON ignores is still another body.
    expect(verdict(headers, { ...request, body: `${body}\n` })).toMatch(/signature is not valid/);
  });

  it('should sign the exact bytes: a string stands for its UTF-8 bytes, and other bytes are refused', () => {
    expect(verdict(headers, { ...request, body: Buffer.from(body, 'utf8') })).toEqual(ADMIN);
    // Two invalid UTF-8 bytes decode to the same text (U+FFFD), but they are not the same body.
    const signedBytes = Buffer.from([0x7b, 0xff, 0x7d]);
    const otherBytes = Buffer.from([0x7b, 0xfe, 0x7d]);
    expect(signedBytes.toString('utf8')).toBe(otherBytes.toString('utf8'));
    const bytesHeaders = identityHeaders(ADMIN, SECRET, { ...request, body: signedBytes }, NOW);
    expect(verdict(bytesHeaders, { ...request, body: otherBytes })).toMatch(/signature is not valid/);
  });

  it('should refuse them on another path, or the same path with another query string', () => {
    expect(verdict(headers, { ...request, target: '/graphql2' })).toMatch(/signature is not valid/);
    expect(verdict(headers, { ...request, target: '/graphql?query={__typename}' })).toMatch(
      /signature is not valid/,
    );
  });

  it('should refuse them with another method', () => {
    expect(verdict(headers, { ...request, method: 'GET' })).toMatch(/signature is not valid/);
    expect(verdict(headers, { ...request, method: 'post' })).toMatch(/signature is not valid/);
  });

  it('should refuse them once their lifetime is over', () => {
    expect(verdict(headers, request, NOW + 30_001)).toMatch(/identity has expired/);
  });

  it('should refuse an identity issued in the future, beyond a little clock skew', () => {
    expect(verdict(identityHeaders(ADMIN, SECRET, request, NOW + 4_000))).toEqual(ADMIN);
    expect(verdict(identityHeaders(ADMIN, SECRET, request, NOW + 60_000))).toMatch(/issued in the future/);
  });

  it('should refuse a signature made with another secret', () => {
    const forged = identityHeaders(ADMIN, 'another-secret-of-16-chars-or-more', request, NOW);
    expect(verdict(forged)).toMatch(/signature is not valid/);
  });

  it('should refuse a claim changed after signing (another role or code)', () => {
    const claim = Buffer.from(JSON.stringify({ role: 'admin', code: 'MALLORY', iat: NOW })).toString(
      'base64url',
    );
    expect(verdict({ ...headers, [IDENTITY_HEADER]: claim })).toMatch(/signature is not valid/);
  });

  it('should refuse a signature moved onto another claim with a fresh issue time', () => {
    const later = identityHeaders(ADMIN, SECRET, request, NOW + 10_000);
    expect(
      verdict({ [IDENTITY_HEADER]: later[IDENTITY_HEADER]!, [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER]! }),
    ).toMatch(/signature is not valid/);
  });

  it('should refuse half a pair and repeated headers', () => {
    expect(verdict({ [IDENTITY_HEADER]: headers[IDENTITY_HEADER]! })).toMatch(/malformed/);
    expect(verdict({ [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER]! })).toMatch(/malformed/);
    const repeated = { ...headers, [SIGNATURE_HEADER]: [headers[SIGNATURE_HEADER]!, 'x'] };
    expect(() => readIdentity(repeated, request, check, NOW)).toThrow(/malformed/);
  });

  it('should refuse a well-signed claim that is not an identity (e.g. an unknown role)', () => {
    // Only a holder of the secret could make one; the subgraph still reads it strictly.
    const claim = Buffer.from(JSON.stringify({ role: 'root', code: 'X', iat: NOW })).toString('base64url');
    const forged = {
      [IDENTITY_HEADER]: claim,
      [SIGNATURE_HEADER]: identitySignature(SECRET, claim, request),
    };
    expect(verdict(forged)).toMatch(/incomplete/);
  });

  it('should give every request of a signer its own signature', () => {
    const sign = identitySigner({ role: 'service', code: 'trips' }, SECRET);
    const first = sign(request);
    const second = sign({ ...request, body: '{"query":"{ __typename }"}' });
    expect(first[SIGNATURE_HEADER]).not.toBe(second[SIGNATURE_HEADER]);
    expect(readIdentity(first, request, check)).toEqual({ role: 'service', code: 'trips' });
  });
});

describe('readIdentityCheck', () => {
  it('should default to a 30 s lifetime and take SUBGRAPH_IDENTITY_MAX_AGE_MS', () => {
    expect(readIdentityCheck({}).maxAgeMs).toBe(30_000);
    expect(readIdentityCheck({ SUBGRAPH_IDENTITY_MAX_AGE_MS: '5000' }).maxAgeMs).toBe(5_000);
  });

  it('should refuse a lifetime that is not a whole number of ms between 1 s and 5 minutes', () => {
    for (const value of ['abc', '500', '600000', '1.5'])
      expect(() => readIdentityCheck({ SUBGRAPH_IDENTITY_MAX_AGE_MS: value })).toThrow(ConfigError);
  });
});
