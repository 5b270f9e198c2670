import { detectFaces } from '@sentinel/human';
import { BoxLike } from '../geometry/box';
import { RgbImage } from '../image/decode-image';

export interface FoundFace {
  box: BoxLike;
  score: number;
}

/** Finds the best face inside a region (a person box) of a decoded image. */
export interface FaceFinder {
  find(image: RgbImage, region: BoxLike): Promise<FoundFace | null>;
}

export const FACE_FINDER = Symbol('FACE_FINDER');

/**
 * Human's face detector (blazeface, through the shared @sentinel/human runtime). The region is the
 * person box, grown a little so a face at its edge keeps some context; the best face above
 * `minScore` wins, its box in source-image pixels.
 */
export class HumanFaceFinder implements FaceFinder {
  constructor(private readonly minScore: number) {}

  async find(image: RgbImage, region: BoxLike): Promise<FoundFace | null> {
    const faces = await detectFaces(image, { region, pad: 16, minScore: this.minScore, maxFaces: 3 });
    let best: FoundFace | null = null;
    for (const face of faces) if (!best || face.score > best.score) best = { box: face.box, score: face.score };
    return best;
  }
}
