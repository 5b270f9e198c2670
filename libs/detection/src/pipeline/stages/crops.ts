import type { FogCropConfig, FogFaceConfig } from '@sentinel/config';
import { FaceCropMessage, FaceQuality, FrameMessage, SCHEMA_VERSION } from '@sentinel/contracts';
import { CropRefusedError, assertNotAFrame, encodeCrop } from '../../faces/crop-encoder';
import type { FaceFinder, FoundFace } from '../../faces/face-finder';
import { Box, expandBox } from '../../geometry/box';
import { PERSON_CLASS } from '../../model/labels';
import { FaceMeasures, assessFace } from '../../faces/face-quality';
import { CropPolicy, SearchResult } from '../../tracking/crop-policy';
import type { PlacedImage } from '../frame-canvas';
import type { DropCounter } from '../frame-rejected';
import type { TrackedFrameDetection } from './track';

/** What the fog sent the cloud for one track in one frame (outcome, log line). */
export interface SentCrop {
  trackId: number;
  kind: 'face' | 'person';
  personBox: Box;
  faceBox?: Box;
  bytes: number;
  width: number;
  height: number;
}

/** A crop ready to go up; `confirmSent` once the link delivered it. */
export interface PendingCrop {
  message: FaceCropMessage;
  sent: SentCrop;
  /** Quality score of the face sent (0 for a person crop). */
  score: number;
}

export interface CropCounters extends DropCounter {
  faceSearch(): void;
  faceTooSmall(): void;
}

/** A face found on a person, with its measured quality. */
interface MeasuredFace {
  face: FoundFace;
  quality: FaceMeasures;
}

/** A detection's box in the pixels of the image it was found in. */
export function localBox(box: Box, placed: PlacedImage): Box {
  return { x: box.x - placed.offsetX, y: box.y - placed.offsetY, width: box.width, height: box.height };
}

/**
 * Stage 6a, one per camera: searches the person tracks worth it for a face (CropPolicy decides which
 * and whether a result goes up) and encodes the crops to send. Sends nothing itself.
 */
export class FaceCropStage {
  private readonly policy: CropPolicy;
  /** Frames of this camera seen so far (the clock of faces.searchEveryFrames). */
  private frame = 0;

  constructor(
    private readonly options: FogCropConfig,
    private readonly quality: FogFaceConfig,
    private readonly faces: FaceFinder,
    private readonly counters: CropCounters,
    private readonly warn?: (message: string) => void,
  ) {
    this.policy = new CropPolicy({ ...options, searchEveryFrames: quality.searchEveryFrames });
  }

  forget(trackIds: readonly number[]): void {
    for (const id of trackIds) this.policy.forget(id);
  }

  /** Records a delivered crop (later crops of the track must beat it). */
  confirmSent(crop: PendingCrop): void {
    this.policy.recordSent(crop.sent.trackId, crop.sent.kind, crop.score);
  }

  async select(message: FrameMessage, at: number, tracked: readonly TrackedFrameDetection[], images: readonly PlacedImage[]): Promise<PendingCrop[]> {
    const frame = this.frame++;
    const persons = tracked.filter((d) => d.classId === PERSON_CLASS);
    const picked = this.policy.pickSearches(
      persons.map((d) => ({ trackId: d.trackId, box: d.box, score: d.score })),
      frame,
      at,
    );
    const out: PendingCrop[] = [];
    for (const pick of picked) {
      const person = persons.find((p) => p.trackId === pick.trackId)!;
      const placed = images[person.source];
      if (!placed) continue;
      const found = await this.searchFace(message, person, placed);
      const measured = found ? { face: found, quality: assessFace(placed.image, found.box, found.score, this.quality) } : null;
      const result = this.searchResult(measured);
      const decision = this.policy.decide(person.trackId, frame, at, result);
      if (decision.send === 'nothing') continue;
      const usable = decision.send === 'face' ? measured : null;
      const crop = await this.encode(message, person, placed, decision.send, usable, this.policy.state(person.trackId).facesSeen);
      if (crop) out.push(crop);
    }
    return out;
  }

  /** A face below faces.minFaceSize is counted and treated as no face: never sent as a face. */
  private searchResult(measured: MeasuredFace | null): SearchResult {
    if (!measured) return { face: 'none' };
    if (measured.quality.size < this.quality.minFaceSize) {
      this.counters.faceTooSmall();
      return { face: 'too-small' };
    }
    return { face: 'usable', score: measured.quality.score };
  }

  private async searchFace(message: FrameMessage, person: TrackedFrameDetection, placed: PlacedImage): Promise<FoundFace | null> {
    if (person.box.height < this.options.minPersonHeightForFace) return null;
    try {
      this.counters.faceSearch();
      return await this.faces.find(placed.image, localBox(person.box, placed));
    } catch (error) {
      this.counters.drop('face-search-failed');
      this.warn?.(`face search failed on ${message.cameraId} track ${person.trackId}: ${(error as Error).message}`);
      return null;
    }
  }

  private async encode(
    message: FrameMessage,
    person: TrackedFrameDetection,
    placed: PlacedImage,
    kind: 'face' | 'person',
    measured: MeasuredFace | null,
    facesSeen: number,
  ): Promise<PendingCrop | null> {
    const options = this.options;
    const face = measured?.face ?? null;
    const local = localBox(person.box, placed);
    try {
      const encoded =
        kind === 'face' && face
          ? await encodeCrop(placed.image, expandBox(face.box, options.faceMargin), { maxSide: options.faceMaxSide, quality: options.jpegQuality, maxBytes: options.maxBytes })
          : await encodeCrop(placed.image, local, { maxSide: options.personMaxSide, quality: options.jpegQuality, maxBytes: options.maxBytes });
      assertNotAFrame({ width: encoded.width, height: encoded.height, bytes: encoded.jpeg.length }, message, options.maxBytes);
      const toFrame = (b: Box): Box => ({ x: b.x + placed.offsetX, y: b.y + placed.offsetY, width: b.width, height: b.height });
      const faceBox = face && kind === 'face' ? toFrame(face.box) : undefined;
      const crop = Object.assign(new FaceCropMessage(), {
        v: SCHEMA_VERSION,
        cameraId: message.cameraId,
        capturedAt: message.capturedAt,
        seq: message.seq,
        trackId: person.trackId,
        kind,
        jpeg: encoded.jpeg,
        personBox: person.box,
        personScore: person.score,
        ...(faceBox && measured ? { faceBox, faceScore: Math.min(1, measured.face.score), quality: faceQuality(measured.quality) } : {}),
        facesSeen,
      });
      return {
        message: crop,
        score: faceBox && measured ? measured.quality.score : 0,
        sent: { trackId: person.trackId, kind, personBox: person.box, faceBox, bytes: encoded.jpeg.length, width: encoded.width, height: encoded.height },
      };
    } catch (error) {
      if (!(error instanceof CropRefusedError)) throw error;
      this.counters.drop('crop-refused');
      this.warn?.(`crop refused on ${message.cameraId} track ${person.trackId}: ${error.message}`);
      return null;
    }
  }
}

function faceQuality(m: FaceMeasures): FaceQuality {
  const round = (v: number) => Number(v.toFixed(4));
  return Object.assign(new FaceQuality(), { score: round(m.score), size: round(m.size), sharpness: round(m.sharpness), frontal: round(m.frontal) });
}
