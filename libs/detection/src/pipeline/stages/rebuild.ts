import type { RegionDetectionMode } from '@sentinel/config';
import type { FrameMessage } from '@sentinel/contracts';
import type { RgbImage } from '../../image/decode-image';
import { FrameCanvas, PlacedImage, cutRegions } from '../frame-canvas';
import type { DecodedMessage } from './decode';

/** What the detector ran on: the whole frame, the rebuilt frame (regions pasted into the canvas) or each region alone. */
export type DetectedOn = 'frame' | 'canvas' | 'regions';

/** Stage 2's result: the images to detect on, placed in the frame. */
export interface RebuiltFrame {
  images: PlacedImage[];
  detectedOn: DetectedOn;
  /** The camera's canvas is out of step with the roof: a whole frame would put it back in step. */
  needsWholeFrame: boolean;
  /** The images are the frame's regions, to be detected packed with other frames' into one input (mode `packed`). */
  packed: boolean;
  /** The whole frame to show in the annotated view (never written again), when the canvas is in step or the message was a whole frame. */
  view?: RgbImage;
}

/**
 * Stage 2, one per camera: keeps the camera's frame canvas in step with the roof's chain of messages
 * (a whole frame replaces it; regions whose `baseSeq` is the frame it holds are pasted into it; a gap
 * or a dropped region puts it out of step until the next whole frame) and says what to detect on.
 */
export class FrameRebuilder {
  private readonly canvas = new FrameCanvas();

  /**
   * `fitsPacked` (mode `packed`): whether regions of these sizes fit one model input at their own
   * scale; without it, `packed` detects on the canvas as `canvas` does.
   */
  constructor(
    private readonly mode: RegionDetectionMode,
    private readonly fitsPacked?: (sizes: readonly { width: number; height: number }[]) => boolean,
  ) {}

  /**
   * A whole frame as it is (it also becomes the canvas); regions pasted into the canvas when it holds
   * the frame they update and the mode is `canvas` (one detector run over whole people); otherwise
   * each region cut out of the atlas on its own. Mode `packed`: the regions alone (the detector packs
   * them with other frames' into one input) when they fit one input, else the rebuilt frame.
   */
  apply(message: FrameMessage, decoded: DecodedMessage): RebuiltFrame {
    const frame = this.rebuild(message, decoded);
    const view = frame.detectedOn === 'regions' ? undefined : this.canvas.share();
    return { ...frame, needsWholeFrame: this.mode !== 'each' && this.canvas.current === undefined, ...(view ? { view } : {}) };
  }

  private rebuild(message: FrameMessage, decoded: DecodedMessage): Pick<RebuiltFrame, 'images' | 'detectedOn' | 'packed'> {
    const { picture, placements, droppedRegions } = decoded;
    if (message.kind === 'frame') {
      this.canvas.replace(picture, message.seq);
      return { images: [{ image: picture, offsetX: 0, offsetY: 0 }], detectedOn: 'frame', packed: false };
    }
    // A dropped region leaves a hole in the canvas: out of step until the next whole frame.
    if (droppedRegions > 0) this.canvas.invalidate();
    const rebuilt = droppedRegions === 0 ? this.canvas.update(picture, placements, message.width, message.height, message.seq, message.baseSeq) : undefined;
    if (this.mode === 'packed' && this.fitsPacked?.(placements)) return { images: cutRegions(picture, placements), detectedOn: 'regions', packed: true };
    if (rebuilt && this.mode !== 'each') return { images: [{ image: rebuilt, offsetX: 0, offsetY: 0 }], detectedOn: 'canvas', packed: false };
    return { images: cutRegions(picture, placements), detectedOn: 'regions', packed: false };
  }
}
