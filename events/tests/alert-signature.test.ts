import crypto from 'node:crypto';
import { signWebhook, verifyWebhook } from '../src/alerts/signature';

const secret = 'test-secret-0123456789abcdef';
const body = JSON.stringify({ id: 'K7QZ2M4P:ABORTED:webhook-1', type: 'trip.aborted' });

describe('alert webhook signatures', () => {
  it('should be sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>" with the secret', () => {
    const expected = crypto.createHmac('sha256', secret).update(`1796000000.${body}`).digest('hex');
    expect(signWebhook(secret, 1796000000, body)).toBe(`sha256=${expected}`);
  });

  it('should verify what it signed, within the tolerance', () => {
    const signature = signWebhook(secret, 1796000000, body);
    expect(
      verifyWebhook(secret, { signature, timestamp: '1796000000' }, body, { nowSeconds: 1796000100 }),
    ).toEqual({
      ok: true,
    });
  });

  it('should refuse another body, another secret, a moved timestamp and a missing header', () => {
    const signature = signWebhook(secret, 1796000000, body);
    const at = { nowSeconds: 1796000000 };
    const refused = (result: ReturnType<typeof verifyWebhook>) => (result.ok ? 'accepted' : result.reason);
    expect(refused(verifyWebhook(secret, { signature, timestamp: '1796000000' }, `${body} `, at))).toBe(
      'signature does not match',
    );
    expect(refused(verifyWebhook(`${secret}x`, { signature, timestamp: '1796000000' }, body, at))).toBe(
      'signature does not match',
    );
    // A replay with a fresh timestamp does not carry a matching signature.
    expect(refused(verifyWebhook(secret, { signature, timestamp: '1796000001' }, body, at))).toBe(
      'signature does not match',
    );
    expect(refused(verifyWebhook(secret, { signature: undefined, timestamp: '1796000000' }, body, at))).toBe(
      'missing signature or timestamp',
    );
    expect(refused(verifyWebhook(secret, { signature, timestamp: '17960e5' }, body, at))).toBe(
      'malformed timestamp',
    );
    expect(
      refused(verifyWebhook(secret, { signature: 'sha256=00', timestamp: '1796000000' }, body, at)),
    ).toBe('signature does not match');
  });

  it('should refuse an old copy of a valid webhook (a replay) after the tolerance', () => {
    const signature = signWebhook(secret, 1796000000, body);
    expect(
      verifyWebhook(secret, { signature, timestamp: '1796000000' }, body, {
        nowSeconds: 1796000000 + 301,
      }),
    ).toEqual({ ok: false, reason: 'timestamp outside tolerance' });
  });
});
