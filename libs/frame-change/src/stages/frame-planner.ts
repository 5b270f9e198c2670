import type { ChangeDetectionConfig, ForwardPolicy } from '@sentinel/config';
import type { ChangeResult } from '../detector/change-detector';
import { ForwardDecision, HeartbeatClock, planForward } from '../pipeline/forward-plan';

export interface PlanInput {
  change: ChangeResult;
  /** The frame's time on the stream's clock (seconds). */
  streamSeconds: number;
  width: number;
  height: number;
  /** The chain is broken (a lost message): the next message must stand alone. */
  resyncDue: boolean;
}

/**
 * The plan stage: what of a frame goes to the fog, from its change, the policy, the heartbeat and
 * the chain's state. Pure apart from the heartbeat clock it keeps.
 */
export class FramePlanner {
  private readonly heartbeat: HeartbeatClock;
  /** Regions paste onto the fog's copy of earlier frames: a lost message needs a whole frame. */
  private readonly chained: boolean;
  private readonly planPolicy: ForwardPolicy;

  constructor(
    policy: ForwardPolicy,
    heartbeatSeconds: number,
    private readonly limits: Pick<ChangeDetectionConfig, 'maxRegions' | 'fullFrameAbove'>,
  ) {
    this.heartbeat = new HeartbeatClock(heartbeatSeconds);
    this.chained = policy === 'regions';
    // Video sends changed frames whole (the codec sends only what changed of them).
    this.planPolicy = policy === 'video' ? 'frame' : policy;
  }

  plan({ change, streamSeconds, width, height, resyncDue }: PlanInput): ForwardDecision {
    const wholeDue = this.heartbeat.due(streamSeconds) || (this.chained && resyncDue);
    return planForward(change, this.planPolicy, wholeDue, width, height, this.limits);
  }

  /** A whole frame went out at this stream time (heartbeats count from it). */
  wholeFrameSent(streamSeconds: number): void {
    this.heartbeat.fullFrameSent(streamSeconds);
  }
}
