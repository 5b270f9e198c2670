/** One consumer group as XINFO GROUPS reports it (Redis 7: `lag` may be null when unknown). */
export interface GroupInfo {
  name: string;
  pending: number;
  lag: number | null;
}

/** Parses XINFO GROUPS' reply (a list of flat name/value lists). */
export function parseGroups(reply: unknown): GroupInfo[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((flat: unknown[]) => {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < flat.length; i += 2) info.set(String(flat[i]), flat[i + 1]);
    const lag = info.get('lag');
    return { name: String(info.get('name')), pending: Number(info.get('pending') ?? 0), lag: lag === null || lag === undefined ? null : Number(lag) };
  });
}

/**
 * Entries not yet acknowledged by the slowest group: what trimming must never remove. Without a group
 * (no consumer started yet) every entry counts; a group whose lag Redis cannot tell counts every entry too.
 */
export function unacknowledged(length: number, groups: readonly GroupInfo[]): number {
  if (groups.length === 0) return length;
  return Math.max(...groups.map((group) => group.pending + (group.lag ?? length)));
}
