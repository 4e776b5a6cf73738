// A real OpenID Connect provider (panva's oidc-provider, certified) for tests of the web client's
// sign-in: authorization code with PKCE, a public client, JWT access tokens for the gateway's audience
// carrying our `role` claim. Its development login page accepts any login: the login is the person's
// code (ADMIN → admin, PX… → passenger, anything else → driver). Started by oidc-provider.ts.
// An .mts file: oidc-provider is an ES module only.
import crypto from 'node:crypto';
import http from 'node:http';
import Provider, { errors, type ClientMetadata } from 'oidc-provider';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
};
const clientId = required('OIDC_CLIENT_ID');
const redirectUri = required('OIDC_REDIRECT_URI');
const audience = required('OIDC_AUDIENCE');
const appOrigin = new URL(redirectUri).origin;

const roleOf = (code: string) =>
  code === 'ADMIN' ? 'admin' : code.startsWith('PX') ? 'passenger' : 'driver';

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'test-key' };

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
if (!address || typeof address === 'string') throw new Error('the provider has no port');
const issuer = `http://127.0.0.1:${address.port}`;

const client: ClientMetadata = {
  client_id: clientId,
  token_endpoint_auth_method: 'none',
  redirect_uris: [redirectUri],
  post_logout_redirect_uris: [`${appOrigin}/app/`],
  grant_types: ['authorization_code'],
  response_types: ['code'],
};

const provider = new Provider(issuer, {
  clients: [client],
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  pkce: { required: () => true },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  // The gateway reads the person from `sub` and what they may do from `role`.
  extraTokenClaims: (_ctx, token) =>
    'accountId' in token && typeof token.accountId === 'string'
      ? { role: roleOf(token.accountId) }
      : undefined,
  clientBasedCORS: (_ctx, origin) => origin === appOrigin,
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== audience) throw new errors.InvalidTarget();
        return {
          scope: 'rideshare',
          audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
});
const handle = provider.callback();
server.on('request', (req, res) => void handle(req, res));

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The line startService waits for.
console.log(
  JSON.stringify({
    level: 'notice',
    service: 'oidc-provider',
    port: address.port,
    url: issuer,
    msg: 'listening',
  }),
);
