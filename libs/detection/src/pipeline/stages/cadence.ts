import type { ChangedRegion, FrameMessage } from '@sentinel/contracts';
import type { Box } from '../../geometry/box';

/** How often a camera's frames go through the detector (the rest coast on the tracker's prediction). */
export interface CadenceOptions {
  /** Detect at least every this many frames; 1 detects every frame. */
  maxInterval: number;
  /** While the camera's frames queue up in the fog: detect at least every this many frames, coast the rest. */
  maxIntervalWhenBehind: number;
  /** A change is explained by the tracks when at least this share of it lies inside their (grown) boxes. */
  minCoverage: number;
  /** Track boxes are grown by this share of their size on each side before testing coverage. */
  margin: number;
  /** ... and by this many pixels: the roof pads changed regions and aligns them to blocks. */
  marginPx: number;
  /** A track moving more than this share of its width per frame is too fast to predict: detect. */
  maxStepShare: number;
}

/** A live track as the cadence sees it: where it is predicted now and how far it moves in one frame. */
export interface PredictedTrack {
  box: Box;
  /** Centre displacement over the last frame interval, pixels. */
  step: number;
}

export type CadenceDecision = { detect: true; why: CadenceReason } | { detect: false; behind?: true };
export type CadenceReason = 'every-frame' | 'interval' | 'heartbeat' | 'no-canvas' | 'no-tracks' | 'fast-motion' | 'unexplained-change';

/** Share of `region` inside the union of `boxes`, sampled on a grid (cheap and exact enough for a yes/no). */
export function coveredShare(region: Box, boxes: readonly Box[], grid = 8): number {
  if (boxes.length === 0) return 0;
  let inside = 0;
  for (let gy = 0; gy < grid; gy++) {
    const y = region.y + ((gy + 0.5) * region.height) / grid;
    for (let gx = 0; gx < grid; gx++) {
      const x = region.x + ((gx + 0.5) * region.width) / grid;
      if (boxes.some((b) => x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height)) inside++;
    }
  }
  return inside / (grid * grid);
}

export function grow(box: Box, share: number, px = 0): Box {
  const dx = box.width * share + px;
  const dy = box.height * share + px;
  return { x: box.x - dx, y: box.y - dy, width: box.width + 2 * dx, height: box.height + 2 * dy };
}

/**
 * Whether this frame needs the detector, or the tracker's prediction suffices: it does when the
 * interval is up, on heartbeats and frames that re-sync the fog, when a tracked object moves too fast
 * to predict, and whenever the change the roof saw is not explained by the tracks (something new, or
 * something that left). Regions messages say where the change is; a whole frame says only how much
 * changed, compared with how much of the frame the tracks cover. A camera whose frames queue up in the
 * fog (`behind`) coasts between detector runs `maxIntervalWhenBehind` apart whatever changed.
 */
export function decideCadence(
  message: Pick<FrameMessage, 'kind' | 'heartbeat' | 'changeScore' | 'width' | 'height'> & { regions?: readonly Pick<ChangedRegion, 'x' | 'y' | 'width' | 'height'>[] },
  context: { framesSinceDetection: number; canvasInStep: boolean; tracks: readonly PredictedTrack[]; behind?: boolean },
  options: CadenceOptions,
): CadenceDecision {
  if (context.behind && options.maxIntervalWhenBehind > 1) {
    const interval = Math.max(options.maxInterval, options.maxIntervalWhenBehind);
    return context.framesSinceDetection + 1 >= interval ? { detect: true, why: 'interval' } : { detect: false, behind: true };
  }
  if (options.maxInterval <= 1) return { detect: true, why: 'every-frame' };
  if (context.framesSinceDetection + 1 >= options.maxInterval) return { detect: true, why: 'interval' };
  if (message.heartbeat) return { detect: true, why: 'heartbeat' };
  if (!context.canvasInStep) return { detect: true, why: 'no-canvas' };
  if (context.tracks.length === 0) {
    const changed = message.kind === 'regions' ? (message.regions?.length ?? 0) > 0 : message.changeScore > 0;
    return changed ? { detect: true, why: 'no-tracks' } : { detect: false };
  }
  if (context.tracks.some((t) => t.step > options.maxStepShare * t.box.width)) return { detect: true, why: 'fast-motion' };
  const grown = context.tracks.map((t) => grow(t.box, options.margin, options.marginPx));
  if (message.kind === 'regions') {
    const unexplained = (message.regions ?? []).some((region) => coveredShare(region, grown) < options.minCoverage);
    return unexplained ? { detect: true, why: 'unexplained-change' } : { detect: false };
  }
  const frame = { x: 0, y: 0, width: message.width, height: message.height };
  const trackedShare = coveredShare(frame, grown, 32);
  return message.changeScore > trackedShare ? { detect: true, why: 'unexplained-change' } : { detect: false };
}

/** The part of a track the cadence needs (the tracker's Track has it). */
export interface CadenceTrack {
  classId: number;
  score: number;
  box: Box;
  lastSeenAt: number;
  vx: number;
  vy: number;
}

/** A track coasting through a frame without the detector: where its box should be now. */
export interface CoastedTrack {
  classId: number;
  score: number;
  box: Box;
}

/**
 * One camera's detection cadence: decides per frame (decideCadence) and remembers when the detector
 * last ran. Only tracks the last detector run saw are coasted; the others wait for the next run.
 */
export class CameraCadence {
  private framesSinceDetection = Number.POSITIVE_INFINITY;
  private lastDetectedAt = Number.NEGATIVE_INFINITY;
  private lastFrameAt?: number;

  constructor(private readonly options: CadenceOptions) {}

  decide(
    message: Parameters<typeof decideCadence>[0],
    at: number,
    canvasInStep: boolean,
    tracks: readonly CadenceTrack[],
    behind = false,
  ): { decision: CadenceDecision; coasted: CoastedTrack[] } {
    const dt = this.lastFrameAt === undefined ? 0 : Math.max(0, at - this.lastFrameAt);
    this.lastFrameAt = at;
    const live = tracks.filter((t) => t.lastSeenAt >= this.lastDetectedAt);
    const coasted = live.map((t) => {
      const since = at - t.lastSeenAt;
      return { classId: t.classId, score: t.score, box: { ...t.box, x: t.box.x + t.vx * since, y: t.box.y + t.vy * since } };
    });
    const predicted = live.map((t, i) => ({ box: coasted[i].box, step: Math.hypot(t.vx, t.vy) * dt }));
    const decision = decideCadence(message, { framesSinceDetection: this.framesSinceDetection, canvasInStep, tracks: predicted, behind }, this.options);
    if (decision.detect) {
      this.framesSinceDetection = 0;
      this.lastDetectedAt = at;
    } else {
      this.framesSinceDetection++;
    }
    return { decision, coasted };
  }
}
