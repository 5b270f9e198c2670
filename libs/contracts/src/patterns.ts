/** Message patterns. Modules emit and handle these names; the link layer decides how they travel. */
export const Patterns = {
  /** roof -> fog: a changed frame, or the changed regions of one. */
  FrameChanged: 'frame.changed',
  /** fog -> cloud: a face (or person) crop of one track. */
  FaceCrop: 'face.crop',
  /** cloud -> notification: who a face crop showed. */
  Identity: 'identity',
  /** any tier -> notification: something a person should hear about. */
  Alert: 'alert',
  /** fog -> notification (optional): detections of a frame, for dashboards and event snapshots. */
  Detections: 'detections',
} as const;

export type Pattern = (typeof Patterns)[keyof typeof Patterns];

/** Links between tiers. Each carries a fixed set of patterns from producer modules to one consumer module. */
export const LinkNames = ['roofToFog', 'fogToCloud', 'notification'] as const;
export type LinkName = (typeof LinkNames)[number];

export const LinkPatterns: Record<LinkName, readonly Pattern[]> = {
  roofToFog: [Patterns.FrameChanged],
  fogToCloud: [Patterns.FaceCrop],
  notification: [Patterns.Alert, Patterns.Identity, Patterns.Detections],
};

/**
 * Delivery policy of each pattern, the one place it is declared. `droppable`: a fresher message
 * replaces it (frames, detections for dashboards): under pressure it is dropped and counted.
 * `durable`: never dropped by a producer; on durable links (redis-streams) it is kept until its
 * consumer acknowledged it and handled once (see libs/transport/README.md).
 */
export type DeliveryPolicy = 'droppable' | 'durable';

export const DeliveryPolicies: Readonly<Record<Pattern, DeliveryPolicy>> = {
  [Patterns.FrameChanged]: 'droppable',
  [Patterns.Detections]: 'droppable',
  [Patterns.FaceCrop]: 'durable',
  [Patterns.Identity]: 'durable',
  [Patterns.Alert]: 'durable',
};

export function isDurablePattern(pattern: string): boolean {
  return isKnownPattern(pattern) && DeliveryPolicies[pattern] === 'durable';
}

/** Every pattern a link may carry; anything else is counted under one label. */
const KnownPatterns: ReadonlySet<string> = new Set(Object.values(Patterns));

/** True for the patterns of the contract (an own name, never `__proto__` or another inherited key). */
export function isKnownPattern(pattern: string): pattern is Pattern {
  return KnownPatterns.has(pattern);
}

/** Which link carries a pattern. */
export function linkOfPattern(pattern: string): LinkName | undefined {
  return LinkNames.find((link) => (LinkPatterns[link] as readonly string[]).includes(pattern));
}

/** Current schema version of every message. A receiver rejects versions it does not know. */
export const SCHEMA_VERSION = 1;
