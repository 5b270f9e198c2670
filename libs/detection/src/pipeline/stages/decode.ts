import type { FrameCodec, FrameMessage } from '@sentinel/contracts';
import { ImageRejectedError, RgbImage, decodeImage, expectSize } from '../../image/decode-image';
import { AtlasPlacement, placementFits } from '../frame-canvas';
import { DropCounter, FrameRejectedError, frameRejection } from '../frame-rejected';
import type { DropReason } from '../fog-stats';

/** A roof message's picture: the whole frame, or the atlas with the region placements that fit. */
export interface DecodedMessage {
  picture: RgbImage;
  placements: AtlasPlacement[];
  /** Regions dropped as unusable (the message went on with the rest). */
  droppedRegions: number;
}

/** A video packet the camera's decoder cannot take (no keyframe since it started, a gap): the fog asks the roof to resync. */
export interface OutOfStep {
  outOfStep: true;
}

/**
 * Stage 1: the message's image bytes to pixels (JPEG, or H.264 packets through a per-camera video
 * decoder). Rejects (FrameRejectedError, counted) a message it cannot use; `OutOfStep` (counted)
 * when a video packet cannot be decoded until the next keyframe.
 */
export interface FrameDecoder {
  decode(message: FrameMessage): Promise<DecodedMessage | OutOfStep>;
}

export interface DecodeCounters extends DropCounter {
  region(): void;
}

/**
 * Decodes the message's JPEG (sharp): the whole frame, or the atlas of its regions. A region placed
 * outside the frame or the atlas is dropped and counted, the rest go on; a message with no usable
 * region is rejected.
 */
export class JpegFrameDecoder implements FrameDecoder {
  constructor(
    private readonly maxInputPixels: number,
    private readonly counters: DecodeCounters,
    private readonly warn?: (message: string) => void,
  ) {}

  async decode(message: FrameMessage): Promise<DecodedMessage> {
    const picture = await this.decodePicture(message);
    if (message.kind === 'frame') return { picture, placements: [], droppedRegions: 0 };
    return this.checkRegions(message, picture);
  }

  private reject(reason: DropReason, message: FrameMessage, detail: string): never {
    this.counters.drop(reason);
    throw frameRejection(reason, message, detail);
  }

  private async decodePicture(message: FrameMessage): Promise<RgbImage> {
    if (!message.jpeg) this.reject('missing-image', message, `kind ${message.kind} without jpeg`);
    try {
      const picture = await decodeImage(message.jpeg, this.maxInputPixels);
      if (message.kind === 'frame') expectSize(picture, message.width, message.height, 'frame');
      return picture;
    } catch (error) {
      if (error instanceof ImageRejectedError) this.reject(error.reason, message, `${message.kind === 'frame' ? 'frame' : 'atlas'}: ${error.message}`);
      throw error;
    }
  }

  private checkRegions(message: FrameMessage, picture: RgbImage): DecodedMessage {
    const placements: AtlasPlacement[] = [];
    const errors: FrameRejectedError[] = [];
    for (const [index, region] of (message.regions ?? []).entries()) {
      this.counters.region();
      const fit = placementFits(region, message, picture);
      if (fit === 'ok') {
        placements.push(region);
        continue;
      }
      const reason: DropReason = fit === 'outside-frame' ? 'region-outside-frame' : 'region-outside-atlas';
      const where = `region ${index} ${region.width}x${region.height}+${region.x}+${region.y}`;
      const detail =
        fit === 'outside-frame'
          ? `${where} lies outside the ${message.width}x${message.height} frame`
          : `${where} at ${region.atlasX},${region.atlasY} lies outside the ${picture.width}x${picture.height} atlas`;
      this.counters.drop(reason);
      errors.push(frameRejection(reason, message, detail));
    }
    if (errors.length > 0 && placements.length === 0) throw errors[0];
    if (errors.length > 0) this.warn?.(`${errors[0].message} (region dropped, the others processed)`);
    return { picture, placements, droppedRegions: errors.length };
  }
}

/**
 * Picks the decoder for the message's codec (`jpeg` when unset). A codec this fog has no decoder for
 * is rejected (counted as `missing-image`: there is no picture it can use), the process goes on.
 */
export class CodecDecoder implements FrameDecoder {
  constructor(
    private readonly byCodec: Partial<Record<FrameCodec, FrameDecoder>>,
    private readonly counters: DropCounter,
  ) {}

  decode(message: FrameMessage): Promise<DecodedMessage | OutOfStep> {
    const codec = message.codec ?? 'jpeg';
    const decoder = this.byCodec[codec];
    if (!decoder) {
      this.counters.drop('missing-image');
      return Promise.reject(frameRejection('missing-image', message, `codec ${codec}: no decoder for it on this fog (it decodes ${Object.keys(this.byCodec).join(', ')})`));
    }
    return decoder.decode(message);
  }
}
