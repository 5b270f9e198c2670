import { createHash } from 'node:crypto';
import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { FaceEmbedder, faceQuality } from './embedder.service';
import { GalleryService } from './gallery.service';
import { FaceRow } from './gallery/gallery-store';

export interface UploadedImage {
  originalname?: string;
  buffer: Buffer;
}

export interface EnrolledFace extends FaceRow {
  /** True when this exact image was already enrolled for the person (nothing new stored). */
  duplicate: boolean;
  file?: string;
}

export interface RecognizedFace {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  known: boolean;
  personId?: string;
  name?: string;
  similarity: number;
}

/** 422 with a machine-readable reason and face count. */
export class FaceCountException extends UnprocessableEntityException {
  constructor(message: string, faceCount: number, file?: string) {
    super({ statusCode: 422, error: 'Unprocessable Entity', message, faceCount, ...(file ? { file } : {}) });
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** REST-side work on images: enrollment (exactly one face per image) and recognition (any number). */
@Injectable()
export class EnrollmentService {
  constructor(
    private readonly embedder: FaceEmbedder,
    private readonly galleryService: GalleryService,
  ) {}

  /**
   * Enrolls every image for the person, all or nothing: each image must decode (else
   * InvalidImageError -> 400) and show exactly one face (else 422 with the count). Nothing is
   * stored unless every image passes.
   */
  async enroll(personId: string, images: UploadedImage[]): Promise<EnrolledFace[]> {
    const gallery = this.galleryService.gallery;
    gallery.getPerson(personId);
    const embedded = [];
    for (const image of images) {
      const faces = await this.embedder.embed(image.buffer);
      const name = image.originalname || 'image';
      if (faces.length === 0) throw new FaceCountException(`no face found in ${name}`, 0, name);
      if (faces.length > 1) throw new FaceCountException(`${faces.length} faces found in ${name}; enrollment needs exactly one`, faces.length, name);
      embedded.push({ name, face: faces[0], hash: sha256(image.buffer) });
    }
    // The person may have been deleted while images were embedded: enroll() re-checks (404).
    return embedded.map(({ name, face, hash }) => {
      const { face: row, duplicate } = gallery.enroll(personId, face.embedding, hash, faceQuality(face));
      return { ...row, duplicate, file: name };
    });
  }

  /** Every face in the image and who it is (no side effects). 422 when there is no face. */
  async recognize(image: UploadedImage): Promise<RecognizedFace[]> {
    const faces = await this.embedder.embed(image.buffer);
    if (faces.length === 0) throw new FaceCountException('no face found', 0, image.originalname);
    const gallery = this.galleryService.gallery;
    return faces.map((face) => {
      const match = gallery.recognize(face.embedding);
      return {
        box: face.box,
        score: face.score,
        known: match.person !== undefined,
        ...(match.person ? { personId: match.person.id, name: match.person.name } : {}),
        similarity: Math.max(-1, Math.min(1, match.similarity)),
      };
    });
  }
}
