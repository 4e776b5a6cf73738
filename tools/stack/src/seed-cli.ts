import { createLogger, envInt, envUrl, readAuthConfig, readConfigOrCheck } from '@rideshare/common';
import { adminAuthorization, seedIfEmpty } from './seed';
import { sleep } from './proc';

const log = createLogger('seed');

/**
 * The demo seed as a one-shot job (docker-compose.yml's `seed`, `node dist/seed.js`): what `npm start`
 * does once the services are up. Loads the seed through the gateway at GATEWAY_URL as an admin
 * (minted with AUTH_JWT_SECRET, local mode), when the databases are empty. Tries again while the
 * system is still coming up; exits 0 when seeded (or already seeded), 1 after SEED_ATTEMPTS.
 */
async function main() {
  const config = readConfigOrCheck('seed', () => ({
    gatewayUrl: envUrl('GATEWAY_URL', 'http://127.0.0.1:4000/graphql', ['http:', 'https:']),
    attempts: envInt('SEED_ATTEMPTS', 20, { min: 1, max: 1_000 }),
    auth: readAuthConfig(),
  }));
  const auth = await adminAuthorization();
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await seedIfEmpty(config.gatewayUrl, auth);
      log.notice('seeded', created);
      return;
    } catch (err) {
      if (attempt >= config.attempts) throw err;
      log.warn('seed failed, trying again', { attempt, error: String(err) });
      await sleep(2_000);
    }
  }
}

main().catch((err: unknown) => {
  log.error('seed failed', { error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
