import { redactUrl, retryAfterMs } from './webhook.target';
import { mqttTopics } from './mqtt.target';

describe('webhook helpers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('hides credentials in URLs', () => {
    expect(redactUrl('https://user:pa55@hooks.example.org/x?y=1')).toBe('https://***@hooks.example.org/x?y=1');
    expect(redactUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
  });
});

describe('mqttTopics', () => {
  it('builds <prefix>/events and <prefix>/<camera>/<kind>', () => {
    expect(mqttTopics('home/sentinel/', 'door', 'camera-down')).toEqual({ events: 'home/sentinel/events', camera: 'home/sentinel/door/camera-down' });
  });
});
