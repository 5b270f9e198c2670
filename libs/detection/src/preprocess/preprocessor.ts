import sharp from 'sharp';
import { Letterbox, computeLetterbox } from '../geometry/letterbox';
import { RgbImage } from '../image/decode-image';
import { Yuv420Image } from '../image/yuv420-image';
import { FamilyInput } from '../model/model-family';
import { InputElementType, InputTensor } from './input-tensor';
import { YuvLetterboxScaler } from './yuv-letterbox';

/**
 * Pre-processing of one image for one model: letterbox geometry, resize (sharp, bilinear like
 * OpenCV's INTER_LINEAR in the reference exports), then the reused input tensor is refilled. A video
 * frame still in yuv420p is scaled and converted in one pass at the model's size (YuvLetterboxScaler:
 * about half the CPU of sharp's resize of the converted frame, bench:fog).
 */
export class Preprocessor {
  readonly tensor: InputTensor;
  private readonly yuvScaler = new YuvLetterboxScaler();

  constructor(
    readonly side: number,
    elementType: InputElementType,
    private readonly family: FamilyInput,
  ) {
    this.tensor = new InputTensor(side, elementType, family);
  }

  /** Another pre-processor of the same input (its own tensor), for a second detector lane. */
  sibling(): Preprocessor {
    return new Preprocessor(this.side, this.tensor.elementType, this.family);
  }

  async run(image: RgbImage): Promise<Letterbox> {
    const lb = computeLetterbox(image.width, image.height, this.side, this.family.anchor);
    if (image instanceof Yuv420Image && !image.convertedRgb) {
      this.yuvScaler.begin(image.yuv, image.width, image.height, lb.width, lb.height);
      this.tensor.fillRows(lb, (y) => this.yuvScaler.scaledRow(y));
      return lb;
    }
    const resized =
      lb.width === image.width && lb.height === image.height
        ? image.data
        : await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
            .resize(lb.width, lb.height, { fit: 'fill', kernel: 'linear' })
            .raw()
            .toBuffer();
    this.tensor.fill(resized, lb);
    return lb;
  }
}
