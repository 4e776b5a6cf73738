import { SignJWT } from 'jose';
import { AuthError, createTokenVerifier, mintToken, readAuthConfig, type AuthConfig } from '../src/tokens';

// The bearer-token verifier: who a token names, until when, and the reason a bad one is refused.

const config: AuthConfig = {
  secret: 'tokens-test-secret-0123456789',
  issuer: 'tokens-test',
  audience: 'api',
};
const verify = createTokenVerifier(config);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token signed with the test secret; `claims` and `exp` as given (`exp: null` leaves it out). */
async function sign(claims: Record<string, unknown>, exp: number | null = nowSeconds() + 60) {
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('tokens-test')
    .setAudience('api')
    .setIssuedAt();
  if (exp !== null) jwt = jwt.setExpirationTime(exp);
  return `Bearer ${await jwt.sign(new TextEncoder().encode(config.secret))}`;
}

const refusal = async (authorization: string | undefined) => {
  const err = await verify(authorization).catch((e: unknown) => e);
  if (!(err instanceof AuthError)) throw new Error(`expected an AuthError, got ${String(err)}`);
  return err.message;
};

describe('createTokenVerifier', () => {
  it('should name the caller and give the expiry in milliseconds', async () => {
    const exp = nowSeconds() + 90;
    await expect(verify(await sign({ role: 'driver', sub: 'D1' }, exp))).resolves.toEqual({
      identity: { role: 'driver', code: 'D1' },
      expiresAt: exp * 1000,
    });
  });

  it('should give the expiry mintToken set', async () => {
    const before = Date.now();
    const verified = await verify(`Bearer ${await mintToken(config, { role: 'admin', code: 'A' }, '2h')}`);
    expect(verified.identity).toEqual({ role: 'admin', code: 'A' });
    expect(verified.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 7_200_000);
    expect(verified.expiresAt).toBeLessThanOrEqual(Date.now() + 7_200_000);
  });

  it('should refuse a token without an expiry: it would never expire', async () => {
    expect(await refusal(await sign({ role: 'admin', sub: 'A' }, null))).toBe(
      'Invalid token (claim "exp" missing)',
    );
  });

  it.each([
    ['no header', undefined, 'Authentication required: send Authorization: Bearer <token>'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'Authorization header must be "Bearer <token>"'],
    ['not a JWT', 'Bearer nope', 'Invalid token (ERR_JWS_INVALID)'],
  ])('should refuse %s', async (_name, authorization, message) => {
    expect(await refusal(authorization)).toBe(message);
  });

  it('should refuse an expired token, a forged one and one for another audience', async () => {
    expect(await refusal(await sign({ role: 'admin', sub: 'A' }, nowSeconds() - 5))).toBe(
      'Invalid token (expired)',
    );
    const forged = await mintToken(
      { ...config, secret: 'another-secret-0123456789' },
      { role: 'admin', code: 'A' },
    );
    expect(await refusal(`Bearer ${forged}`)).toBe('Invalid token (bad signature)');
    const elsewhere = await mintToken({ ...config, audience: 'other' }, { role: 'admin', code: 'A' });
    expect(await refusal(`Bearer ${elsewhere}`)).toBe('Invalid token (claim "aud" check_failed)');
  });

  it('should refuse the internal role, an unknown role and a missing subject', async () => {
    const roleMessage = /^Invalid token: claim "role" must be one of passenger, driver, admin, simulator$/;
    expect(await refusal(await sign({ role: 'service', sub: 'S' }))).toMatch(roleMessage);
    expect(await refusal(await sign({ role: 'root', sub: 'S' }))).toMatch(roleMessage);
    expect(await refusal(await sign({ role: 'admin' }))).toBe(
      'Invalid token: claim "sub" (the person\'s code) is missing',
    );
  });

  it('should need a JWKS URL or a secret', () => {
    expect(() => createTokenVerifier({})).toThrow(/needs a JWKS URL or a secret/);
    expect(readAuthConfig({ APP_MODE: 'local' }).secret).toBeDefined();
  });
});
