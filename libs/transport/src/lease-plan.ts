import { createHash } from 'node:crypto';

/** What one consumer sees of a site's camera leases at one renewal round. */
export interface LeaseView {
  /** This consumer's token. */
  self: string;
  /** Every camera key producers have registered. */
  cameras: readonly string[];
  /** Holder token of each camera's lease (absent or null: free). */
  holders: ReadonlyMap<string, string | null>;
  /** Consumers alive (renewed within a lease's ttl), this one included. */
  members: number;
  /** Cameras that were already free at the previous round (nobody took them since). */
  freeBefore: ReadonlySet<string>;
}

export interface LeasePlan {
  acquire: string[];
  release: string[];
  /** The fair share: ceil(cameras / members). */
  share: number;
}

/** Rendezvous hashing: each consumer prefers different cameras, so two rarely race for the same one. */
function preference(self: string, camera: string): string {
  return createHash('sha256').update(`${self}\n${camera}`).digest('hex');
}

/**
 * Which leases to try to take and which to hand over (pure). Each consumer aims at its fair share
 * (ceil(cameras / members)): below it, it tries free cameras in its preferred order; above it, it
 * hands the extra ones over (the others take them at their next round). A camera free for two rounds
 * in a row is taken whatever the share (a dead member still counted among the alive must not leave
 * its cameras unserved). Nothing here decides ownership: Redis does, with SET NX PX on each lease.
 */
export function planLeases(view: LeaseView): LeasePlan {
  const { self, cameras, holders, freeBefore } = view;
  const share = cameras.length === 0 ? 0 : Math.ceil(cameras.length / Math.max(1, view.members));
  const byPreference = (a: string, b: string) => (preference(self, a) < preference(self, b) ? -1 : 1);
  const mine = cameras.filter((camera) => holders.get(camera) === self).sort(byPreference);
  const free = cameras.filter((camera) => !holders.get(camera)).sort(byPreference);
  if (mine.length > share) {
    // Only hand over when nothing is left unserved: a busy fog should not give cameras away while others lie free.
    return { acquire: [], release: free.length === 0 ? mine.slice(share) : [], share };
  }
  const wanted = free.slice(0, share - mine.length);
  const abandoned = free.filter((camera) => !wanted.includes(camera) && freeBefore.has(camera));
  return { acquire: [...wanted, ...abandoned], release: [], share };
}

/** How an acquired camera came to this consumer, from the last owner's mark. */
export type AcquisitionKind = 'first' | 'handover' | 'takeover';

export const RELEASED = 'released';

export function acquisitionKind(lastOwner: string | null, self: string): AcquisitionKind {
  if (lastOwner === null) return 'first';
  if (lastOwner === RELEASED || lastOwner === self) return 'handover';
  return 'takeover';
}

/**
 * Until when a lease renewed (or taken) by a command sent at `sentAt` is surely still ours: Redis
 * starts the ttl when it runs the command, after `sentAt`, so the lease outlives this instant by the
 * transit time. `marginMs` covers clock-rate differences between this host and Redis.
 */
export function validUntil(sentAt: number, ttlMs: number, marginMs: number): number {
  return sentAt + ttlMs - marginMs;
}
