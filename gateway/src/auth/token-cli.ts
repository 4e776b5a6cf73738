import { ROLES, type Role } from '@rideshare/common';
import { mintToken, readAuthConfig } from '@rideshare/common';

/** `npm run token -- --role <passenger|driver|admin> --code <code> [--expires 12h]`: prints a token for local use. */
async function main(argv: string[]) {
  const arg = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const role = arg('role') ?? 'admin';
  const code = arg('code') ?? (role === 'admin' ? 'ADMIN' : undefined);
  if (!ROLES.includes(role as Role) || role === 'service' || !code) {
    console.error('usage: npm run token -- --role <passenger|driver|admin> --code <code> [--expires 12h]');
    process.exit(2);
  }
  console.log(await mintToken(readAuthConfig(), { role: role as Role, code }, arg('expires') ?? '12h'));
}

void main(process.argv.slice(2));
