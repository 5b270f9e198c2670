import { DeliveryError, asDeliveryError, classifyHttpStatus } from './delivery-error';

describe('classifyHttpStatus', () => {
  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [408, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [400, 'dead'],
    [401, 'dead'],
    [404, 'dead'],
    [410, 'dead'],
    [302, 'dead'],
  ])('%i -> %s', (status, outcome) => {
    expect(classifyHttpStatus(status)).toBe(outcome);
  });
});

describe('asDeliveryError', () => {
  it('keeps delivery errors and makes others retryable, with the socket cause', () => {
    const permanent = new DeliveryError('gone', true, 410);
    expect(asDeliveryError(permanent)).toBe(permanent);
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const wrapped = asDeliveryError(new TypeError('fetch failed', { cause }));
    expect(wrapped.permanent).toBe(false);
    expect(wrapped.message).toBe('fetch failed: ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9');
  });
});
