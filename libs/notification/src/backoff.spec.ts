import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0 };

  it('grows exponentially and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('draws the jittered fraction at random', () => {
    const half = { ...policy, jitter: 0.5 };
    expect(backoffDelay(3, half, () => 0)).toBe(200); // 400 * 0.5 fixed + 0
    expect(backoffDelay(3, half, () => 0.999999)).toBe(400);
    expect(backoffDelay(3, { ...policy, jitter: 1 }, () => 0.25)).toBe(100);
  });

  it('treats attempt 0 like the first retry', () => {
    expect(backoffDelay(0, policy)).toBe(100);
  });
});
