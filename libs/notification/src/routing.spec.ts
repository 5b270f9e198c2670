import { channelsForKind } from './routing';

describe('channelsForKind', () => {
  const rules = [
    { kinds: ['camera-up'], channels: ['log' as const] },
    { kinds: ['intruder', 'camera-down'], channels: ['webhook' as const, 'mqtt' as const, 'webhook' as const] },
    { kinds: ['*'], channels: ['mqtt' as const] },
  ];

  it('uses the first matching rule', () => {
    expect(channelsForKind(rules, 'camera-up')).toEqual(['log']);
    expect(channelsForKind(rules, 'camera-down')).toEqual(['webhook', 'mqtt']);
  });

  it('falls through to the wildcard for unknown kinds', () => {
    expect(channelsForKind(rules, 'smoke')).toEqual(['mqtt']);
  });

  it('sends nowhere when no rule matches', () => {
    expect(channelsForKind(rules.slice(0, 2), 'smoke')).toEqual([]);
  });
});
