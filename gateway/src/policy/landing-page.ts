import type http from 'node:http';
import Negotiator from 'negotiator';

/**
 * The media types Apollo Server negotiates a GET against, in its order (ApolloServer#prefersHTML in
 * @apollo/server 5): JSON first and text/html last, so that only a real preference for HTML wins
 * (`*\/*`, or `application/json, text/html`, go for JSON).
 */
const APOLLO_MEDIA_TYPES = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'multipart/mixed; deferSpec=20220824',
  'multipart/mixed; incrementalSpec=v0.2',
  'multipart/mixed',
  'text/html',
];

/**
 * A request for the Sandbox page: what Apollo serves its landing page for (a GET whose Accept header,
 * parsed by `negotiator` as Apollo does, prefers text/html), and with nothing at all in the URL's
 * query string, parsed as a URL (so `%71uery=` is a parameter like `query=`). Stricter than Apollo
 * (which ignores the query string): a request with parameters is an API request and authenticates.
 */
export function isLandingPageRequest(req: Pick<http.IncomingMessage, 'method' | 'url' | 'headers'>): boolean {
  if (req.method !== 'GET') return false;
  const accept = req.headers.accept;
  if (!accept) return false;
  if (new Negotiator({ headers: { accept } }).mediaType(APOLLO_MEDIA_TYPES) !== 'text/html') return false;
  let url: URL;
  try {
    url = new URL(req.url ?? '', 'http://gateway.invalid');
  } catch {
    return false;
  }
  return url.search === '';
}
