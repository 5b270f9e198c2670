import { detectFaces, warmUpHuman } from '@sentinel/human';
import { Box, area } from '../geometry/box';
import { RgbImage } from '../image/decode-image';

export interface FoundFace {
  box: Box;
  score: number;
}

/** Finds the best face inside a region (a person box) of a decoded image. */
export interface FaceFinder {
  find(image: RgbImage, region: Box): Promise<FoundFace | null>;
  /** Loads models ahead of the first frame (called at boot). */
  warmUp?(): Promise<void>;
}

export const FACE_FINDER = Symbol('FACE_FINDER');

/**
 * Human's face detector (blazeface, through the shared @sentinel/human runtime). The region is the
 * person box, grown a little so a face at its edge keeps some context; the best face above
 * `minScore` wins, its box in source-image pixels.
 */
export class HumanFaceFinder implements FaceFinder {
  constructor(private readonly minScore: number) {}

  warmUp(): Promise<void> {
    return warmUpHuman({ faces: true });
  }

  async find(image: RgbImage, region: Box): Promise<FoundFace | null> {
    const faces = await detectFaces(image, { region, pad: 16, minScore: this.minScore, maxFaces: 3 });
    let best: FoundFace | null = null;
    for (const face of faces) {
      // A face must belong to this person: keep the part inside the person box, if any is left.
      const box = clipToRegion(face.box, region);
      if (box && plausibleFace(box, region) && (!best || face.score > best.score)) best = { box, score: face.score };
    }
    return best;
  }
}

/** The part of `box` inside `region`; null when less than half of the box is inside. */
export function clipToRegion(box: Box, region: Box): Box | null {
  const x1 = Math.max(box.x, region.x);
  const y1 = Math.max(box.y, region.y);
  const x2 = Math.min(box.x + box.width, region.x + region.width);
  const y2 = Math.min(box.y + box.height, region.y + region.height);
  if (x2 <= x1 || y2 <= y1) return null;
  const inside = { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
  return area(inside) >= area(box) / 2 ? inside : null;
}

/**
 * A face of a standing or sitting person sits in the upper half of the person box and is at most
 * half its height (a bust); larger or lower "faces" on small, blurry persons are detector noise. A
 * close-up (a person box at least CLOSE_UP_ASPECT as wide as tall: head and shoulders, or the head
 * alone) may be mostly face: there the face may fill the box, its centre in the upper three quarters.
 */
export function plausibleFace(face: Box, person: Box): boolean {
  const centreY = face.y + face.height / 2;
  if (person.width >= person.height * CLOSE_UP_ASPECT) return face.height <= person.height && centreY <= person.y + person.height * 0.75;
  return face.height <= person.height * 0.5 && centreY <= person.y + person.height * 0.5;
}

/** Width over height from which a person box is a close-up (a standing person's is ~0.3-0.45). */
const CLOSE_UP_ASPECT = 0.7;
