import type { VideoConfig } from '@sentinel/config';
import { PixelFormat, yuv420pToRgb24 } from '@sentinel/contracts';
import type { RawFrame } from '../ffmpeg/frame-reader';
import type { ForwardDecision } from '../pipeline/forward-plan';
import { JpegEncoder } from '../pipeline/jpeg-encoder';
import type { FrameEncoder, Payload } from '../stages/frame-encoder';
import { H264Encoder } from './h264-encoder';

/** The frame as rgb24, converted when it is yuv420p (only to count the "every frame as JPEG" baseline). */
function rgbOf(frame: RawFrame): Uint8Array {
  return frame.pixelFormat === 'rgb24' ? frame.data : yuv420pToRgb24(frame.data, frame.width, frame.height);
}

/**
 * The encode stage of policy `video`: the frames the plan forwards go through one persistent
 * libx264 encoder per camera; each message carries its packet. Keyframes: the first frame, the frame
 * after a lost message or a `resync` reply (the encoder restarts), a frame more than
 * `keyframeIntervalS` of stream time after the last keyframe (after a still stretch), and x264's own
 * every `keyframeIntervalS * fps` forwarded frames (`-g`).
 */
export class VideoFrameEncoder implements FrameEncoder {
  private encoder?: H264Encoder;
  private lastKeyframeAt = Number.NEGATIVE_INFINITY;
  private readonly rawJpeg?: JpegEncoder;

  constructor(
    private readonly ffmpegPath: string,
    private readonly video: VideoConfig,
    private readonly onRawJpeg?: (bytes: number) => void,
  ) {
    if (onRawJpeg) this.rawJpeg = new JpegEncoder(80);
  }

  /** The encoder's ffmpeg process id (tests kill it). */
  get pid(): number | undefined {
    return this.encoder?.pid;
  }

  format(width: number, height: number, fps: number, pixelFormat: PixelFormat): void {
    const frameRate = Number.isFinite(fps) && fps > 0 ? fps : 10;
    void this.encoder?.close();
    this.encoder = new H264Encoder(this.ffmpegPath, { width, height, fps: frameRate, pixelFormat }, this.video);
    this.lastKeyframeAt = Number.NEGATIVE_INFINITY;
  }

  startsChain(decision: ForwardDecision, resyncDue: boolean, streamSeconds: number): boolean {
    if (decision.send === 'none') return false;
    const due = resyncDue || streamSeconds - this.lastKeyframeAt >= this.video.keyframeIntervalS;
    if (!due) return false;
    this.encoder?.restart();
    this.lastKeyframeAt = streamSeconds;
    return true;
  }

  async encode(frame: RawFrame, decision: ForwardDecision): Promise<Payload | undefined> {
    // Written to the encoder now, in stream order; awaited after.
    const encoded = decision.send === 'none' ? undefined : this.encoder?.encode(frame.data);
    if (this.rawJpeg) this.onRawJpeg?.((await this.rawJpeg.encodeFrame(rgbOf(frame), frame.width, frame.height)).length);
    if (decision.send === 'none') return undefined;
    if (!encoded) throw new Error('video frame before the source format is known');
    const packet = await encoded;
    return { kind: 'frame', codec: 'h264', data: packet.data, keyframe: packet.keyframe, heartbeat: decision.send === 'frame' && decision.heartbeat };
  }

  close(): Promise<void> {
    return this.encoder?.close() ?? Promise.resolve();
  }
}
