import { FrameMessage, nalTypes } from '@sentinel/contracts';
import { Yuv420Image } from '../image/yuv420-image';
import { DropCounter, frameRejection } from '../pipeline/frame-rejected';
import type { DecodedMessage, FrameDecoder, OutOfStep } from '../pipeline/stages/decode';
import { H264Decoder, H264DecoderOptions, VideoDecodeError } from './h264-decoder';

const NAL_SLICE = 1;
const NAL_IDR_SLICE = 5;

/** Longest wait for one frame after its packet was written, before the decoder counts as stuck. */
export const DEFAULT_DECODE_TIMEOUT_MS = 5_000;

export interface VideoDecoderFigures {
  framesDecoded: number;
  /** ffmpeg decoders started (the first per camera, then one after each failure or size change). */
  decoderStarts: number;
  decoderErrors: number;
  outOfStep: number;
}

interface CameraDecoder {
  decoder: H264Decoder;
  /** The seq of the last packet the decoder took. */
  lastSeq?: number;
}

/**
 * The decode stage for `codec: 'h264'` messages: one persistent ffmpeg decoder per camera. A packet
 * holding no slice is dropped as `corrupt`. It is decoded when it is a keyframe (its message says so
 * and it holds an IDR slice) or follows the
 * packet the decoder took last (`baseSeq`). Otherwise (a fog restart, a lost message, a decoder just
 * restarted) it is dropped as `video-out-of-step` and the fog answers `resync`, so the roof's next
 * frame is a keyframe. A decoder error (garbage, ffmpeg died, no frame within the timeout) is counted
 * as `video-decoder-error`, the decoder is replaced by a fresh one and the fog answers `resync` too.
 */
export class VideoFrameDecoder implements FrameDecoder {
  private readonly cameras = new Map<string, CameraDecoder>();
  private readonly counts: VideoDecoderFigures = { framesDecoded: 0, decoderStarts: 0, decoderErrors: 0, outOfStep: 0 };
  private closed = false;

  constructor(
    private readonly ffmpegPath: string,
    private readonly counters: DropCounter,
    private readonly timeoutMs = DEFAULT_DECODE_TIMEOUT_MS,
    private readonly warn?: (message: string) => void,
    /** How frames come back from ffmpeg (H264Decoder's options; bench:fog compares the fog's defaults with the others). */
    private readonly decoderOptions: H264DecoderOptions = {},
  ) {}

  async decode(message: FrameMessage): Promise<DecodedMessage | OutOfStep> {
    const { packet, width, height } = message;
    if (!packet || packet.length === 0) {
      this.counters.drop('missing-image');
      throw frameRejection('missing-image', message, 'codec h264 without packet');
    }
    const camera = this.usableDecoder(message);
    const nals = nalTypes(packet);
    // No slice at all (not H.264, cut short): nothing to decode; the chain is broken from here.
    if (!nals.some((type) => type >= NAL_SLICE && type <= NAL_IDR_SLICE)) {
      this.counters.drop('corrupt');
      this.warn?.(`${message.cameraId}#${message.seq}: the H.264 packet holds no picture; asking the roof for a keyframe`);
      return { outOfStep: true };
    }
    const keyframe = message.keyframe === true && nals.includes(NAL_IDR_SLICE);
    const inStep = !camera.decoder.fresh && camera.lastSeq !== undefined && camera.lastSeq === message.baseSeq;
    if (!keyframe && !inStep) return this.outOfStep();
    camera.lastSeq = message.seq;
    try {
      const frame = await camera.decoder.decode(packet);
      this.counts.framesDecoded++;
      const picture = camera.decoder.pixelFormat === 'yuv420p' ? new Yuv420Image(frame, width, height) : { data: frame, width, height, channels: 3 as const };
      return { picture, placements: [], droppedRegions: 0 };
    } catch (error) {
      if (!(error instanceof VideoDecodeError) || this.closed) throw error;
      this.counters.drop('video-decoder-error');
      this.decoderFailed(message, error);
      this.restart(message);
      return { outOfStep: true };
    }
  }

  figures(): VideoDecoderFigures {
    return { ...this.counts };
  }

  /** The camera's decoder process (tests kill it). */
  decoderPid(cameraId: string): number | undefined {
    return this.cameras.get(cameraId)?.decoder.pid;
  }

  close(): void {
    this.closed = true;
    for (const camera of this.cameras.values()) camera.decoder.close();
    this.cameras.clear();
  }

  /** The camera's decoder for this frame size; a failed one (noticed now) or one of another size is replaced. */
  private usableDecoder(message: FrameMessage): CameraDecoder {
    const camera = this.cameras.get(message.cameraId);
    if (camera?.decoder.failed) this.decoderFailed(message, camera.decoder.failed);
    const usable = camera && !camera.decoder.failed && camera.decoder.width === message.width && camera.decoder.height === message.height;
    return usable ? camera : this.restart(message);
  }

  private restart(message: FrameMessage): CameraDecoder {
    this.cameras.get(message.cameraId)?.decoder.close();
    const camera: CameraDecoder = { decoder: new H264Decoder(this.ffmpegPath, message.width, message.height, this.timeoutMs, this.decoderOptions) };
    this.cameras.set(message.cameraId, camera);
    this.counts.decoderStarts++;
    return camera;
  }

  /** Counted once per failed decoder: on the frame it failed, or on the next frame when it died in between. */
  private decoderFailed(message: FrameMessage, error: VideoDecodeError): void {
    this.counts.decoderErrors++;
    this.warn?.(`${message.cameraId}#${message.seq}: video decoder failed (${error.message}); restarted, asking the roof for a keyframe`);
  }

  private outOfStep(): OutOfStep {
    this.counts.outOfStep++;
    this.counters.drop('video-out-of-step');
    return { outOfStep: true };
  }
}
