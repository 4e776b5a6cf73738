import crypto from 'node:crypto';
import Redis from 'ioredis';
import { readInfraConfig } from '@rideshare/common';

describe('Redis publish/subscribe', () => {
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(readInfraConfig().redisUrl);
    clients.push(c);
    return c;
  };
  afterAll(() => clients.forEach((c) => c.disconnect()));

  it('should deliver one published message to two subscribers', async () => {
    const channel = `test:${crypto.randomUUID()}`;
    const subscribers = [client(), client()];
    const received = subscribers.map(
      (sub) =>
        new Promise<string>((resolve) =>
          sub.on('message', (ch: string, message: string) => ch === channel && resolve(message)),
        ),
    );
    await Promise.all(subscribers.map((sub) => sub.subscribe(channel)));
    const publisher = client();
    expect(await publisher.publish(channel, 'trip TR1 updated')).toBe(2);
    expect(await Promise.all(received)).toEqual(['trip TR1 updated', 'trip TR1 updated']);
  });
});
