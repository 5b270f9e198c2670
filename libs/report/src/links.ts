import type { EmitOutcome, LinkTraffic, TrafficCount } from '@sentinel/transport';

export type { LinkTraffic, TrafficCount };

export type LedgerSnapshot = Record<string, LinkTraffic>;

/** Keys below come from the wire (patterns, camera ids): null-prototype maps, so `__proto__` is a plain key. */
const table = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
const zero = (): TrafficCount => ({ messages: 0, bytes: 0 });
const add = (a: TrafficCount, b: TrafficCount): TrafficCount => ({ messages: a.messages + b.messages, bytes: a.bytes + b.bytes });

/**
 * The ledgers of several processes added up. In one process a link's producer and consumer both
 * count; split over processes, each side counts in its own: the sum has both sides either way.
 */
export function mergeLedgers(snapshots: readonly LedgerSnapshot[]): LedgerSnapshot {
  const out: LedgerSnapshot = table();
  for (const snapshot of snapshots) {
    for (const [link, t] of Object.entries(snapshot)) {
      const m = (out[link] ??= { sent: zero(), received: zero(), byPattern: table(), malformed: table(), outcomes: table() });
      m.sent = add(m.sent, t.sent);
      m.received = add(m.received, t.received);
      for (const [pattern, cameras] of Object.entries(t.byPattern)) {
        const mp = (m.byPattern[pattern] ??= table());
        for (const [camera, cell] of Object.entries(cameras)) {
          const mc = (mp[camera] ??= { sent: zero(), received: zero() });
          mc.sent = add(mc.sent, cell.sent);
          mc.received = add(mc.received, cell.received);
        }
      }
      for (const [reason, n] of Object.entries(t.malformed)) m.malformed[reason] = (m.malformed[reason] ?? 0) + n;
      for (const [outcome, n] of Object.entries(t.outcomes) as [EmitOutcome, number | undefined][]) {
        m.outcomes[outcome] = (m.outcomes[outcome] ?? 0) + (n ?? 0);
      }
    }
  }
  return out;
}

/** Messages and bytes of one pattern on one link in one direction, all cameras. */
export function patternTraffic(ledger: LedgerSnapshot, link: string, pattern: string, direction: 'sent' | 'received' = 'sent'): TrafficCount {
  const cameras = ledger[link]?.byPattern[pattern] ?? {};
  return Object.values(cameras).reduce((sum, cell) => add(sum, cell[direction]), zero());
}

export interface BalanceRow {
  link: string;
  pattern: string;
  camera: string;
  sent: TrafficCount;
  received: TrafficCount;
  balanced: boolean;
}

/** For every link, pattern and camera: were the messages and bytes sent exactly the ones received? */
export function linkBalance(ledger: LedgerSnapshot): BalanceRow[] {
  const rows: BalanceRow[] = [];
  for (const [link, t] of Object.entries(ledger)) {
    for (const [pattern, cameras] of Object.entries(t.byPattern)) {
      for (const [camera, cell] of Object.entries(cameras)) {
        rows.push({
          link,
          pattern,
          camera,
          sent: cell.sent,
          received: cell.received,
          balanced: cell.sent.messages === cell.received.messages && cell.sent.bytes === cell.received.bytes,
        });
      }
    }
  }
  return rows;
}
