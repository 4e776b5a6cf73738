import fs from 'node:fs';
import { ConfigError, envOptionalString } from '@rideshare/common';

/**
 * The simulator's own credential: a bearer token for role `simulator`, whose rights the subgraphs
 * limit to driving DEMO trips. It is never a signing secret. From SIMULATOR_TOKEN, or from the file
 * SIMULATOR_TOKEN_FILE names (a mounted secret: docker-compose.yml mints one there; in production a
 * token refresher writes the identity provider's client-credentials token there). Checked at start;
 * the file is read again whenever it changes, so a rotated token needs no restart.
 */
export function readSimulatorToken(env: NodeJS.ProcessEnv = process.env): () => string {
  const inline = envOptionalString('SIMULATOR_TOKEN', env);
  const file = envOptionalString('SIMULATOR_TOKEN_FILE', env);
  if (inline && file)
    throw new ConfigError('SIMULATOR_TOKEN', 'and SIMULATOR_TOKEN_FILE are both set: set one');
  if (file) return tokenFile(file);
  if (!inline)
    throw new ConfigError(
      'SIMULATOR_TOKEN',
      'or SIMULATOR_TOKEN_FILE must be set: a token for role simulator (`npm start` mints one in local mode)',
    );
  const token = checked('SIMULATOR_TOKEN', inline);
  return () => token;
}

function checked(variable: string, token: string): string {
  if (token === '') throw new ConfigError(variable, 'names an empty token');
  if (/\s/.test(token)) throw new ConfigError(variable, 'must hold the bare token, without "Bearer "');
  return token;
}

/** The token in the file, read at start and again when its modification time changes. */
function tokenFile(file: string): () => string {
  const read = () => {
    try {
      const mtimeMs = fs.statSync(file).mtimeMs;
      return { mtimeMs, token: checked('SIMULATOR_TOKEN_FILE', fs.readFileSync(file, 'utf8').trim()) };
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(
        'SIMULATOR_TOKEN_FILE',
        `cannot be read: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  };
  let current = read();
  return () => {
    // A file being rewritten (or briefly missing) keeps the token read last.
    try {
      if (fs.statSync(file).mtimeMs !== current.mtimeMs) current = read();
    } catch {
      // keep current
    }
    return current.token;
  };
}
