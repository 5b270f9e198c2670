import { signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signature', () => {
  it('matches an HMAC-SHA256 computed by hand (openssl dgst)', () => {
    // printf '1700000000000.{"a":1}' | openssl dgst -sha256 -hmac 'topsecret'
    expect(signWebhook('topsecret', 1_700_000_000_000, '{"a":1}')).toBe(
      'sha256=2a3831e0fc44857c34e04ab357ae7828bb8cc5f6555aad6c7e98008343a7dd92',
    );
  });

  it('verifies its own signatures and rejects altered bodies or timestamps', () => {
    const sig = signWebhook('k3y-k3y-', 5, 'body');
    expect(verifyWebhookSignature('k3y-k3y-', 5, 'body', sig)).toBe(true);
    expect(verifyWebhookSignature('k3y-k3y-', 5, 'bodY', sig)).toBe(false);
    expect(verifyWebhookSignature('k3y-k3y-', 6, 'body', sig)).toBe(false);
    expect(verifyWebhookSignature('k3y-k3y-', 5, 'body', 'sha256=00')).toBe(false);
  });
});
