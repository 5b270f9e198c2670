import { parseGroups, unacknowledged } from './redis-streams-backlog';
import { messageKey, withCause } from './redis-streams-keys';

describe('idempotency keys of durable messages', () => {
  it('keys a message by its id, else by its content without sentAt', () => {
    expect(messageKey('alert', { id: 'alert-1', at: 1 })).toBe('id:alert:alert-1');
    const a = messageKey('identity', { trackId: 3, sentAt: 1 });
    expect(messageKey('identity', { trackId: 3, sentAt: 99 })).toBe(a);
    expect(messageKey('identity', { trackId: 4, sentAt: 1 })).not.toBe(a);
  });

  it('derives the keys of a handler\'s emits from its cause and their rank, whatever they contain', async () => {
    const run = () =>
      withCause('crop-7', async () => {
        await Promise.resolve();
        return [messageKey('identity', { n: Math.random() }), messageKey('alert', { id: `${Math.random()}` }), messageKey('alert', { id: 'x' })];
      });
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(await withCause('crop-8', async () => messageKey('identity', {}))).not.toBe(first[0]);
  });
});

describe('stream backlog', () => {
  it('is the slowest group\'s pending plus lag, or every entry without a group or a known lag', () => {
    const groups = parseGroups([
      ['name', 'a', 'consumers', 1, 'pending', 2, 'last-delivered-id', '1-0', 'entries-read', 5, 'lag', 3],
      ['name', 'b', 'consumers', 1, 'pending', 0, 'last-delivered-id', '1-0', 'entries-read', 8, 'lag', 0],
    ]);
    expect(groups).toEqual([{ name: 'a', pending: 2, lag: 3 }, { name: 'b', pending: 0, lag: 0 }]);
    expect(unacknowledged(8, groups)).toBe(5);
    expect(unacknowledged(8, [])).toBe(8);
    expect(unacknowledged(8, [{ name: 'c', pending: 1, lag: null }])).toBe(9);
  });
});
