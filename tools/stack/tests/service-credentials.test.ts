import { createTokenVerifier, readAuthConfig } from '@rideshare/common';
import { SIMULATOR_PRINCIPAL, withServiceCredentials } from '../src/service-credentials';

const SECRET = 'stack-test-jwt-secret-of-32-chars!';

describe('withServiceCredentials', () => {
  it('should give the simulator a token of its own and not the JWT secret', async () => {
    const env = await withServiceCredentials('simulator', { AUTH_JWT_SECRET: SECRET, PORT: '4102' });
    expect(env.AUTH_JWT_SECRET).toBeUndefined();
    expect(env.PORT).toBe('4102');
    const verified = await createTokenVerifier(readAuthConfig({ AUTH_JWT_SECRET: SECRET }))(
      `Bearer ${env.SIMULATOR_TOKEN}`,
    );
    expect(verified).toMatchObject({ identity: { role: 'simulator', code: SIMULATOR_PRINCIPAL } });
  });

  it("should keep a token that is already set (an identity provider's), still without the secret", async () => {
    const env = await withServiceCredentials('simulator', {
      AUTH_JWT_SECRET: SECRET,
      SIMULATOR_TOKEN: 'a.b.c',
    });
    expect(env).toEqual({ SIMULATOR_TOKEN: 'a.b.c' });
    const fromFile = await withServiceCredentials('simulator', { SIMULATOR_TOKEN_FILE: '/run/token' });
    expect(fromFile).toEqual({ SIMULATOR_TOKEN_FILE: '/run/token' });
  });

  it('should mint nothing with an identity provider: the simulator then says what it lacks', async () => {
    const env = await withServiceCredentials('simulator', {
      AUTH_JWKS_URL: 'https://idp.example.com/jwks',
      AUTH_ISSUER: 'https://idp.example.com/',
      AUTH_AUDIENCE: 'rideshare',
    });
    expect(env.SIMULATOR_TOKEN).toBeUndefined();
  });

  it('should leave every other service as it is', async () => {
    const env = { AUTH_JWT_SECRET: SECRET };
    expect(await withServiceCredentials('gateway', env)).toBe(env);
  });
});
