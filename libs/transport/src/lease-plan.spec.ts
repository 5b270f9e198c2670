import { acquisitionKind, planLeases, validUntil } from './lease-plan';

const cameras = ['a', 'b', 'c', 'd'];
const holders = (entries: Record<string, string>) => new Map(cameras.map((c) => [c, entries[c] ?? null]));

describe('planLeases', () => {
  it('a lone fog takes every free camera', () => {
    const plan = planLeases({ self: 'f1', cameras, holders: holders({}), members: 1, freeBefore: new Set() });
    expect(plan.acquire.sort()).toEqual(cameras);
    expect(plan.release).toEqual([]);
  });

  it('two fogs aim at half each: the second takes two free cameras, the first hands two over when none is free', () => {
    const second = planLeases({ self: 'f2', cameras, holders: holders({ a: 'f1', b: 'f1' }), members: 2, freeBefore: new Set() });
    expect(second.acquire.sort()).toEqual(['c', 'd']);
    const first = planLeases({ self: 'f1', cameras, holders: holders({ a: 'f1', b: 'f1', c: 'f1', d: 'f1' }), members: 2, freeBefore: new Set() });
    expect(first.release).toHaveLength(2);
    expect(first.acquire).toEqual([]);
  });

  it('never hands over while a camera lies free, and takes a camera free for two rounds beyond its share', () => {
    const busy = planLeases({ self: 'f1', cameras, holders: holders({ a: 'f1', b: 'f1', c: 'f1' }), members: 2, freeBefore: new Set() });
    expect(busy.release).toEqual([]);
    // f2 died (still counted alive): its cameras c, d were free last round too.
    const survivor = planLeases({ self: 'f1', cameras, holders: holders({ a: 'f1', b: 'f1' }), members: 2, freeBefore: new Set(['c', 'd']) });
    expect(survivor.acquire.sort()).toEqual(['c', 'd']);
    const fresh = planLeases({ self: 'f1', cameras, holders: holders({ a: 'f1', b: 'f1' }), members: 2, freeBefore: new Set() });
    expect(fresh.acquire).toEqual([]);
  });

  it('leaves cameras held by others alone and plans nothing without cameras', () => {
    expect(planLeases({ self: 'f1', cameras, holders: holders({ a: 'f2', b: 'f2', c: 'f2', d: 'f2' }), members: 1, freeBefore: new Set(cameras) })).toEqual({ acquire: [], release: [], share: 4 });
    expect(planLeases({ self: 'f1', cameras: [], holders: new Map(), members: 2, freeBefore: new Set() })).toEqual({ acquire: [], release: [], share: 0 });
  });

  it('two fogs prefer different cameras (rendezvous order)', () => {
    const many = Array.from({ length: 40 }, (_, i) => `cam-${i}`);
    const free = new Map(many.map((c) => [c, null]));
    const one = planLeases({ self: 'fog-1:x', cameras: many, holders: free, members: 2, freeBefore: new Set() }).acquire;
    const two = planLeases({ self: 'fog-2:y', cameras: many, holders: free, members: 2, freeBefore: new Set() }).acquire;
    expect(one).toHaveLength(20);
    expect(one.filter((c) => two.includes(c)).length).toBeLessThan(20);
  });
});

describe('acquisitionKind and validUntil', () => {
  it('tells a first lease, a handover and a takeover apart', () => {
    expect(acquisitionKind(null, 'f1')).toBe('first');
    expect(acquisitionKind('released', 'f1')).toBe('handover');
    expect(acquisitionKind('f1', 'f1')).toBe('handover');
    expect(acquisitionKind('f2', 'f1')).toBe('takeover');
  });

  it('counts the lease from the moment the command was sent, minus the margin', () => {
    expect(validUntil(1000, 3000, 300)).toBe(3700);
  });
});
