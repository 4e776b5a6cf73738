import { mintToken, readAuthConfig, ROLES } from '@rideshare/common';

/** Roles a person's (or the simulator's) token may carry; `service` is for our own processes only. */
const TOKEN_ROLES = ROLES.filter((role) => role !== 'service');
const USAGE = `usage: npm run token -- --role <${TOKEN_ROLES.join('|')}> --code <code> [--expires 12h]`;

/** `npm run token -- --role <role> --code <code> [--expires 12h]`: prints a token for local use. */
async function main(argv: string[]) {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const wanted = arg('role') ?? 'admin';
  const role = TOKEN_ROLES.find((r) => r === wanted);
  const code = arg('code') ?? (role === 'admin' ? 'ADMIN' : undefined);
  if (!role || !code) {
    console.error(USAGE);
    process.exit(2);
  }
  console.log(await mintToken(readAuthConfig(), { role, code }, arg('expires') ?? '12h'));
}

void main(process.argv.slice(2));
