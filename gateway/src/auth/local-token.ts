import type http from 'node:http';
import { z } from 'zod';
import {
  answerRefusal,
  BodyTooLargeError,
  mintToken,
  readBody,
  sendJson,
  type AuthConfig,
  type Route,
} from '@rideshare/common';

/** The local sign-in's path: the web client's sign-in screen posts here (local mode only). */
export const LOCAL_TOKEN_PATH = '/auth/local-token';
/** Short-lived: a browser tab signs in again rather than keeping a long-lived credential. */
export const LOCAL_TOKEN_TTL_SECONDS = 3600;
const MAX_BODY_BYTES = 1_000;

/** People sign in as themselves or as admin; never as the simulator or one of our services. */
const SignInRequest = z.strictObject({
  role: z.enum(['passenger', 'driver', 'admin']),
  code: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .regex(/^[A-Za-z0-9._@+-]+$/, 'may only contain letters, digits and . _ @ + -'),
});

const badRequest = (res: http.ServerResponse, message: string) =>
  answerRefusal(res, { status: 400, code: 'BAD_USER_INPUT', message });

/** Parses the JSON body with the framework's own parser and names the first field that was wrong. */
async function readSignIn(req: http.IncomingMessage, res: http.ServerResponse) {
  let json: unknown;
  try {
    json = JSON.parse((await readBody(req, MAX_BODY_BYTES)).toString('utf8'));
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      answerRefusal(res, { status: 413, code: 'PAYLOAD_TOO_LARGE', message: err.message });
    else badRequest(res, 'The body must be JSON: {"role": "passenger" | "driver" | "admin", "code": "..."}');
    return undefined;
  }
  const parsed = SignInRequest.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  badRequest(res, `"${issue?.path.join('.') || 'body'}" ${issue?.message ?? 'is invalid'}`);
  return undefined;
}

/** Someone the sign-in screen offers: a passenger, a driver, or admin. */
export interface SignInPerson {
  role: 'passenger' | 'driver' | 'admin';
  code: string;
  name: string;
  detail: string;
}

/**
 * GET → {people}: who one can sign in as (the sign-in screen's list). POST {role, code} →
 * {token, expiresIn}: a short-lived token minted with the gateway's own secret.
 */
function localTokenRoute(auth: AuthConfig, listPeople: () => Promise<SignInPerson[]>): Route {
  return async (req, res) => {
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'GET') return sendJson(res, 200, { people: await listPeople() });
    if (req.method !== 'POST') {
      const refusal = {
        status: 405,
        code: 'METHOD_NOT_ALLOWED',
        message: `${LOCAL_TOKEN_PATH} takes GET or POST`,
      };
      return answerRefusal(res, refusal, { allow: 'GET, POST' });
    }
    const signIn = await readSignIn(req, res);
    if (!signIn) return;
    const token = await mintToken(auth, signIn, `${LOCAL_TOKEN_TTL_SECONDS}s`);
    sendJson(res, 200, { token, expiresIn: LOCAL_TOKEN_TTL_SECONDS });
  };
}

/**
 * The sign-in route exists only in local mode with a shared secret (the gateway can then mint what it
 * verifies); in production, or with AUTH_JWKS_URL, there is no such path and it answers 404.
 */
export function localAuthRoutes(
  config: { mode: 'local' | 'production'; auth: AuthConfig },
  listPeople: () => Promise<SignInPerson[]> = async () => [],
): Record<string, Route> {
  if (config.mode !== 'local' || !config.auth.secret || config.auth.jwksUrl) return {};
  return { [LOCAL_TOKEN_PATH]: localTokenRoute(config.auth, listPeople) };
}
