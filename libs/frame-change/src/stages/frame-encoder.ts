import type { ChangedRegion } from '@sentinel/contracts';
import type { RawFrame } from '../ffmpeg/frame-reader';
import type { PixelFormat } from '@sentinel/contracts';
import type { ForwardDecision } from '../pipeline/forward-plan';
import { JpegEncoder } from '../pipeline/jpeg-encoder';

/** What one frame message carries: a whole frame (JPEG or a video packet) or a JPEG atlas of regions. */
export type Payload =
  | { kind: 'frame'; codec: 'jpeg'; data: Buffer; heartbeat: boolean }
  | { kind: 'frame'; codec: 'h264'; data: Buffer; heartbeat: boolean; keyframe: boolean }
  | { kind: 'regions'; codec: 'jpeg'; data: Buffer; regions: ChangedRegion[] };

/** The encode stage: turns a frame and what the plan forwards of it into a payload. */
export interface FrameEncoder {
  /** The source's output format (before its first frame, again after a reconnect). */
  format?(width: number, height: number, fps: number, pixelFormat: PixelFormat): void;
  /**
   * Whether the message of this decision will stand alone (start the chain afresh). An encoder that
   * can make it so (video: a keyframe) does when `resyncDue`. Called in stream order, before `encode`.
   */
  startsChain(decision: ForwardDecision, resyncDue: boolean, streamSeconds: number): boolean;
  /** Undefined when nothing is to be sent (the decision was 'none'). Rejects when encoding fails. */
  encode(frame: RawFrame, decision: ForwardDecision): Promise<Payload | undefined>;
  /** Releases what the encoder holds (processes); the encoder may be used again afterwards. */
  close(): Promise<void>;
}

/**
 * JPEG payloads (sharp): whole frames, or the changed regions packed into one atlas (the whole frame
 * when they do not fit one). With `onRawJpeg`, every frame is also encoded whole only to count its
 * bytes (the "send everything" baseline of reports).
 */
export class JpegFrameEncoder implements FrameEncoder {
  private readonly jpeg: JpegEncoder;

  constructor(
    quality: number,
    private readonly onRawJpeg?: (bytes: number) => void,
  ) {
    this.jpeg = new JpegEncoder(quality);
  }

  startsChain(decision: ForwardDecision): boolean {
    return decision.send === 'frame';
  }

  async encode(frame: RawFrame, decision: ForwardDecision): Promise<Payload | undefined> {
    const { width, height, data } = frame;
    if (frame.pixelFormat !== 'rgb24') throw new Error(`JPEG payloads take rgb24 frames, not ${frame.pixelFormat}`);
    const atlas = decision.send === 'regions' ? await this.jpeg.encodeRegions(data, width, decision.regions) : undefined;
    const whole = decision.send === 'frame' || (decision.send === 'regions' && !atlas);
    const wholeJpeg = whole || this.onRawJpeg ? await this.jpeg.encodeFrame(data, width, height) : undefined;
    if (wholeJpeg && this.onRawJpeg) this.onRawJpeg(wholeJpeg.length);
    if (atlas) return { kind: 'regions', codec: 'jpeg', data: atlas.jpeg, regions: atlas.regions };
    if (whole) return { kind: 'frame', codec: 'jpeg', data: wholeJpeg!, heartbeat: decision.send === 'frame' && decision.heartbeat };
    return undefined;
  }

  async close(): Promise<void> {}
}
