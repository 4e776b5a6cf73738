import type http from 'node:http';
import type { Identity } from '@rideshare/common';

/**
 * The one request the policy lets through unchecked: the Sandbox page, i.e. a browser GET asking for
 * HTML with no operation in the URL (Apollo serves the page, or in production a 400). The test reads
 * the raw request; its known gaps are issue 14, kept as they are until that is fixed here.
 */
export const isLandingPageRequest = (
  req: Pick<http.IncomingMessage, 'method' | 'url' | 'headers'>,
): boolean =>
  req.method === 'GET' &&
  (req.headers.accept ?? '').includes('text/html') &&
  !(req.url ?? '').includes('query=');

/** Who an unchecked landing-page request runs as, should Apollo run an operation for it (issue 14). */
export const landingPageIdentity: Identity = Object.freeze({ role: 'passenger', code: '' });
