import type { ForwardPolicy } from '@sentinel/config';
import type { ChangeResult } from '../detector/change-detector';
import { Rect, rectArea } from '../detector/rects';

export type ForwardDecision =
  | { send: 'none' }
  | { send: 'frame'; heartbeat: boolean }
  | { send: 'regions'; regions: Rect[] };

export interface ForwardLimits {
  maxRegions: number;
  /** Regions covering more than this fraction of the frame are sent as the full frame. */
  fullFrameAbove: number;
}

/**
 * What to send for one frame. `frame` policy: every changed frame whole. `regions` policy: crops
 * of the changed regions, except the first frame of a stream (nothing to compare with), too many
 * regions, or regions covering most of the frame: then the whole frame (cheaper and as useful).
 * A due heartbeat (or a resync after a lost message) makes it a whole frame marked heartbeat, with
 * or without change: regions update the fog's copy of the frame, a whole frame resets it.
 */
export function planForward(
  result: ChangeResult,
  policy: ForwardPolicy,
  heartbeatDue: boolean,
  frameWidth: number,
  frameHeight: number,
  limits: ForwardLimits,
): ForwardDecision {
  if (!result.changed) return heartbeatDue ? { send: 'frame', heartbeat: true } : { send: 'none' };
  if (policy === 'frame' || result.first || heartbeatDue) return { send: 'frame', heartbeat: heartbeatDue };
  const covered = result.regions.reduce((sum, region) => sum + rectArea(region), 0);
  if (result.regions.length > limits.maxRegions || covered > limits.fullFrameAbove * frameWidth * frameHeight) {
    return { send: 'frame', heartbeat: heartbeatDue };
  }
  return { send: 'regions', regions: result.regions };
}

/** Heartbeat timing on the stream's own clock (seconds): due when no full frame went out for `interval`. */
export class HeartbeatClock {
  private lastFullFrameAt?: number;

  constructor(private readonly intervalSeconds: number) {}

  due(now: number): boolean {
    if (this.intervalSeconds <= 0) return false;
    if (this.lastFullFrameAt === undefined) {
      this.lastFullFrameAt = now;
      return false;
    }
    return now - this.lastFullFrameAt >= this.intervalSeconds;
  }

  fullFrameSent(now: number): void {
    this.lastFullFrameAt = now;
  }
}
