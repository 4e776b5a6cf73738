/** How this deployment signs people in, as the gateway describes it at /auth/config. */
export type ClientConfig =
  | { signIn: 'local' }
  | { signIn: 'oidc'; authority: string; clientId: string; scope: string }
  | { signIn: 'none' };

export const CLIENT_CONFIG_PATH = '/auth/config';

function parse(value: unknown): ClientConfig {
  if (typeof value !== 'object' || value === null) throw new Error('is not an object');
  const { signIn, authority, clientId, scope } = value as Record<string, unknown>;
  if (signIn === 'local' || signIn === 'none') return { signIn };
  if (signIn === 'oidc' && typeof authority === 'string' && typeof clientId === 'string')
    return { signIn, authority, clientId, scope: typeof scope === 'string' ? scope : 'openid' };
  throw new Error(`has an unknown sign-in "${String(signIn)}"`);
}

let loaded: Promise<ClientConfig> | undefined;

export function clientConfig(): Promise<ClientConfig> {
  loaded ??= fetch(CLIENT_CONFIG_PATH).then(async (res) => {
    if (!res.ok) throw new Error(`${CLIENT_CONFIG_PATH} answered ${res.status}`);
    try {
      return parse(await res.json());
    } catch (err) {
      throw new Error(`${CLIENT_CONFIG_PATH} ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return loaded;
}
