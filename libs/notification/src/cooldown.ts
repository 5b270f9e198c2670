/**
 * Cooldown and grouping: one notification per (camera, kind, subject or track) within a window.
 * The window is measured from the last *notified* alert of the group, so a person who stays in view
 * produces one reminder per window, not one per detection. Pure functions; the caller keeps the state.
 */

export interface CooldownSubject {
  id: string;
  cameraId: string;
  kind: string;
  /** Epoch ms the alert was raised. */
  at: number;
  /** Identity or object class; preferred over the track for grouping (one identity may span tracks). */
  subject?: string;
  trackId?: number;
}

export interface CooldownEntry {
  /** `at` of the alert that was last notified for this group. */
  notifiedAt: number;
  /** Id of that alert: the group id of alerts suppressed after it. */
  groupId: string;
}

export interface CooldownDecision {
  notify: boolean;
  key: string;
  /** The id of the alert this one is grouped under (its own id when notified). */
  groupId: string;
  /** The entry to store for `key` once the alert is durably accepted. */
  entry: CooldownEntry;
}

/** Group key: camera, kind, then subject, else track, else nothing (one group per camera and kind). */
export function cooldownKey(alert: Pick<CooldownSubject, 'cameraId' | 'kind' | 'subject' | 'trackId'>): string {
  const who = alert.subject !== undefined && alert.subject !== '' ? `s:${alert.subject}` : alert.trackId !== undefined ? `t:${alert.trackId}` : '-';
  return `${alert.cameraId}\u0000${alert.kind}\u0000${who}`;
}

/**
 * Decides whether `alert` is notified. An alert is suppressed when its group was notified less than
 * `windowMs` before it (alerts arriving late, with an earlier `at`, are suppressed too). `windowMs` 0
 * notifies everything.
 */
export function decideCooldown(state: ReadonlyMap<string, CooldownEntry>, alert: CooldownSubject, windowMs: number): CooldownDecision {
  const key = cooldownKey(alert);
  const last = state.get(key);
  if (windowMs > 0 && last && alert.at - last.notifiedAt < windowMs) {
    return { notify: false, key, groupId: last.groupId, entry: last };
  }
  const entry = { notifiedAt: alert.at, groupId: alert.id };
  return { notify: true, key, groupId: alert.id, entry };
}

/** Removes groups whose window ended before `now` (keeps memory bounded); returns how many were removed. */
export function pruneCooldown(state: Map<string, CooldownEntry>, now: number, windowMs: number): number {
  let removed = 0;
  for (const [key, entry] of state) {
    if (now - entry.notifiedAt >= windowMs) {
      state.delete(key);
      removed++;
    }
  }
  return removed;
}
