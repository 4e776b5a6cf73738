import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { verifyWebhook, WEBHOOK_HEADERS } from '@rideshare/events';

const mailSchema = z.object({
  id: z.string(),
  subject: z.string(),
  text: z.string().optional(),
  headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  to: z.array(z.object({ address: z.string() })),
});
export type MailDevEmail = z.infer<typeof mailSchema>;

/** The emails MailDev holds (its REST API, `GET /api/email`), checked rather than cast. */
export async function maildevEmails(webUrl: string): Promise<MailDevEmail[]> {
  const response = await fetch(`${webUrl}/api/email`);
  if (!response.ok) throw new Error(`MailDev answered ${response.status}`);
  return z.array(mailSchema).parse(await response.json());
}

export interface ReceivedWebhook {
  deliveryId: string;
  body: string;
  /** Why the signature was refused, or null when it was valid. */
  refused: string | null;
  /** First valid copy of its delivery id (the receiver's deduplication). */
  accepted: boolean;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Valid, first-of-their-id deliveries, by delivery id. */
  accepted(deliveryId: string): ReceivedWebhook[];
  /** Holds the next request open without answering (a stalled receiver) until `release`. */
  stallNext(): void;
  stalled(): number;
  release(): void;
  close(): Promise<void>;
}

/**
 * A real HTTP receiver, as an integration would write one: it verifies each webhook's signature over
 * the raw body, answers 401 to a bad one, and deduplicates by the delivery id (a copy gets 200 and is
 * not accepted again).
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const seen = new Set<string>();
  let stallNext = false;
  const held = new Set<http.ServerResponse>();
  const header = (req: http.IncomingMessage, name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? undefined : value;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const deliveryId = header(req, WEBHOOK_HEADERS.delivery) ?? '';
      const check = verifyWebhook(
        secret,
        {
          signature: header(req, WEBHOOK_HEADERS.signature),
          timestamp: header(req, WEBHOOK_HEADERS.timestamp),
        },
        body,
      );
      if (stallNext && check.ok) {
        // Neither accepted nor answered: the sender is left waiting.
        stallNext = false;
        received.push({ deliveryId, body, refused: 'stalled', accepted: false });
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      const accepted = check.ok && !seen.has(deliveryId);
      if (accepted) seen.add(deliveryId);
      received.push({ deliveryId, body, refused: check.ok ? null : check.reason, accepted });
      res.writeHead(check.ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const release = () => {
    for (const res of held) res.destroy();
    held.clear();
  };
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    received,
    accepted: (id) => received.filter((r) => r.deliveryId === id && r.accepted),
    stallNext() {
      stallNext = true;
    },
    stalled: () => received.filter((r) => r.refused === 'stalled').length,
    release,
    close() {
      release();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
