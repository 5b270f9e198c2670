import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, NewEvent } from './event-store';

function event(id: string, overrides: Partial<NewEvent> = {}): NewEvent {
  return { id, kind: 'intruder', cameraId: 'c1', priority: 'alert', at: 1_000, capturedAt: 990, receivedAt: 2_000, notified: true, groupId: id, ...overrides };
}

const row = (alertId: string, cameraId = 'c1', target = 'webhook:http://x/') => ({ alertId, target, channel: 'webhook', cameraId, body: `{"id":"${alertId}"}` });

describe('EventStore', () => {
  let dir: string;
  let store: EventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-events-'));
    store = new EventStore(join(dir, 'nested', 'events.sqlite'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores an event with its snapshot and boxes, and refuses a second event with the same id', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    expect(store.accept(event('a1', { snapshot: jpeg, boxes: [{ x: 1, y: 2, width: 3, height: 4 }], details: { zone: 'door' } }), [row('a1')])).toBe(true);
    expect(store.accept(event('a1', { kind: 'camera-down' }), [row('a1', 'c1', 'mqtt')])).toBe(false);
    const stored = store.getEvent('a1');
    expect(stored).toMatchObject({ id: 'a1', kind: 'intruder', hasSnapshot: true, boxes: [{ x: 1, y: 2, width: 3, height: 4 }], details: { zone: 'door' }, notified: true });
    expect(store.getSnapshot('a1')).toEqual(jpeg);
    expect(store.getSnapshot('nope')).toBeUndefined();
    expect(store.outboxDepthByTarget()).toEqual(new Map([['webhook:http://x/', 1]]));
  });

  it('lists newest first with filters and a cursor', () => {
    for (let i = 0; i < 5; i++) store.accept(event(`e${i}`, { at: 1_000 + i, cameraId: i % 2 ? 'odd' : 'even', kind: i === 4 ? 'camera-down' : 'intruder' }), []);
    const first = store.listEvents({ limit: 2 });
    expect(first.items.map((e) => e.id)).toEqual(['e4', 'e3']);
    const second = store.listEvents({ limit: 2, beforeSeq: Number(first.nextCursor) });
    expect(second.items.map((e) => e.id)).toEqual(['e2', 'e1']);
    const last = store.listEvents({ limit: 2, beforeSeq: Number(second.nextCursor) });
    expect(last).toEqual({ items: [expect.objectContaining({ id: 'e0' })], nextCursor: null });
    expect(store.listEvents({ limit: 10, cameraId: 'even', kind: 'intruder' }).items.map((e) => e.id)).toEqual(['e2', 'e0']);
    expect(store.listEvents({ limit: 10, since: 1_001, until: 1_003 }).items.map((e) => e.id)).toEqual(['e3', 'e2', 'e1']);
  });

  it('hands out only the oldest pending row of each camera', () => {
    store.accept(event('a'), [row('a', 'c1')]);
    store.accept(event('b'), [row('b', 'c1')]);
    store.accept(event('c', { cameraId: 'c2' }), [row('c', 'c2')]);
    const heads = store.dueHeads('webhook:http://x/', 5_000, 10);
    expect(heads.map((h) => h.alertId)).toEqual(['a', 'c']);
    // a fails and waits: b must not overtake it.
    store.reschedule(heads[0].seq, 1, 9_000, 'HTTP 503');
    expect(store.dueHeads('webhook:http://x/', 5_000, 10).map((h) => h.alertId)).toEqual(['c']);
    expect(store.nextAttemptAt('webhook:http://x/', new Set(['c2']))).toBe(9_000);
    store.markDelivered(heads[0].seq);
    expect(store.dueHeads('webhook:http://x/', 5_000, 10).map((h) => h.alertId)).toEqual(['b', 'c']);
  });

  it('moves a row to the dead letters and can queue it again', () => {
    store.accept(event('a'), [row('a')]);
    const [head] = store.dueHeads('webhook:http://x/', 5_000, 10);
    store.deadLetter(head, 1, 'HTTP 404: no such hook', 404, 6_000);
    expect(store.outboxDepthByTarget().size).toBe(0);
    const dead = store.listDeadLetters({ limit: 10 });
    expect(dead.items).toEqual([expect.objectContaining({ alertId: 'a', reason: 'HTTP 404: no such hook', status: 404, attempts: 1, deadAt: 6_000 })]);
    expect(store.requeueDeadLetter(dead.items[0].seq, 7_000)?.alertId).toBe('a');
    expect(store.deadLetterCount()).toBe(0);
    expect(store.dueHeads('webhook:http://x/', 7_000, 10)).toEqual([expect.objectContaining({ alertId: 'a', attempts: 0, body: '{"id":"a"}' })]);
  });

  it('applies retention by age and by count', () => {
    for (let i = 0; i < 6; i++) store.accept(event(`r${i}`, { receivedAt: i * 1_000 }), []);
    // Older than 5000 - 2500 = 2500: r0, r1, r2 go; then keep the newest 2 of r3..r5.
    expect(store.applyRetention(5_000, 2_500, 2)).toEqual({ events: 4, deadLetters: 0 });
    expect(store.listEvents({ limit: 10 }).items.map((e) => e.id)).toEqual(['r5', 'r4']);
  });

  it('keeps everything across a reopen', () => {
    store.accept(event('kept'), [row('kept')]);
    store.close();
    store = new EventStore(join(dir, 'nested', 'events.sqlite'));
    expect(store.getEvent('kept')?.id).toBe('kept');
    expect(store.dueHeads('webhook:http://x/', 10_000, 10).map((r) => r.alertId)).toEqual(['kept']);
  });
});
