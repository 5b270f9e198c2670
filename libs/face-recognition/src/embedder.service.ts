import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { EmbeddedFace, HumanRuntime, ImageInput, embedFaces, warmUpHuman } from '@sentinel/human';
import { basename } from 'node:path';

/** Detector confidence scaled down for faces smaller than 112 px (the description model's comfort zone), 0..1. */
export function faceQuality(face: { score: number; box: { width: number; height: number } }): number {
  const side = Math.sqrt(face.box.width * face.box.height);
  return Math.max(0, Math.min(1, face.score * Math.min(1, side / 112)));
}

/** Model name stored with each embedding: the description model, `+aligned` when fed landmark-aligned crops. */
export function embeddingModelName(descriptionModel: string, aligned: boolean): string {
  const name = basename(descriptionModel).replace(/\.json$/, '');
  return aligned ? `${name}+aligned` : name;
}

/**
 * Face embeddings through the shared Human runtime: blazeface finds the face again inside the crop
 * (it is cheap, ~10 ms, and gives the description model the same framing for enrollment photos and
 * fog crops), facemesh aligns it, the description model embeds it. Iris, emotion, age and the other
 * models stay off.
 */
@Injectable()
export class FaceEmbedder implements OnModuleInit {
  private readonly logger = new Logger(FaceEmbedder.name);
  private readonly runtime: HumanRuntime;
  /** Model name stored with every embedding (vectors of different models are never compared). */
  readonly model: string;

  constructor(@Inject(SENTINEL_CONFIG) private readonly config: SentinelConfig) {
    this.runtime = HumanRuntime.shared({ descriptionModel: config.cloud.descriptionModel });
    this.model = embeddingModelName(config.cloud.descriptionModel, config.cloud.alignFaces);
  }

  async onModuleInit(): Promise<void> {
    const start = performance.now();
    await warmUpHuman({ faces: true }, this.runtime);
    this.logger.log(`Human (wasm) ready with description model ${this.model} in ${Math.round(performance.now() - start)} ms`);
  }

  get ready(): boolean {
    return this.runtime.loaded;
  }

  /** Every face in the image with its embedding, best score first. Throws InvalidImageError for non-images. */
  async embed(image: ImageInput, maxFaces = 20): Promise<EmbeddedFace[]> {
    const faces = await embedFaces(
      image,
      { padRatio: this.config.cloud.cropPadding, padMax: 64, minScore: this.config.cloud.minFaceScore, maxFaces, align: this.config.cloud.alignFaces },
      this.runtime,
    );
    return faces.sort((a, b) => b.score - a.score);
  }
}
