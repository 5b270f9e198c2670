import type { Config, FaceResult, Human } from '@vladmandic/human';
import { HumanRuntime } from './human-runtime';
import type { Box } from '@sentinel/contracts';
import { ImageInput, PreparedImage, PrepareOptions, prepareImage, toSourceBox } from './image-input';

export interface FaceDetectOptions extends PrepareOptions {
  /** Minimum detector confidence 0..1 (default 0.2, Human's default). */
  minScore?: number;
  /** At most this many faces (default 20). */
  maxFaces?: number;
}

export interface DetectedFace {
  /**
   * Face box in pixels of the caller's image (region and padding already undone). detectFaces: the
   * detector's tight box; embedFaces: the box of the aligned face mesh (larger, includes forehead and chin).
   */
  box: Box;
  /** Detector (blazeface) confidence 0..1. */
  score: number;
}

export interface EmbeddedFace extends DetectedFace {
  /** Face description vector (faceres: 1024 values), as returned by the model (not normalised). */
  embedding: Float32Array;
}

/** Runs Human's face pipeline on prepared pixels: `[1, h, w, 3]` float tensor built here, disposed after. */
export async function runFacePipeline(human: Human, image: PreparedImage, face: Partial<Config['face']>): Promise<FaceResult[]> {
  const tensor = human.tf.tensor3d(image.rgb, [image.height, image.width, 3], 'int32');
  try {
    const result = await human.detect(tensor, { face: face as Config['face'] });
    if (result.error) throw new Error(`Human face pipeline failed: ${result.error}`);
    return result.face;
  } finally {
    human.tf.dispose(tensor);
  }
}

function toDetected(image: PreparedImage, face: FaceResult): DetectedFace | null {
  const [x, y, width, height] = face.box;
  const box = toSourceBox(image, { x, y, width, height });
  return box ? { box, score: face.boxScore ?? face.score } : null;
}

function faceConfig(options: FaceDetectOptions, withDescription: boolean): Partial<Config['face']> {
  return {
    enabled: true,
    // Scale 1.4 (Human's default) gives the mesh the context it needs; plain detection reports the
    // detector's own tight box (scale 1).
    detector: { minConfidence: options.minScore ?? 0.2, maxDetected: options.maxFaces ?? 20, scale: withDescription ? 1.4 : 1, rotation: withDescription },
    // For embeddings the face is rotated upright (roll) from the detector's eye landmarks and checked by
    // the mesh (a crop whose mesh confidence is low is not a face); plain detection needs neither.
    mesh: { enabled: withDescription },
    description: { enabled: withDescription },
  } as Partial<Config['face']>;
}

/** Face boxes and scores (blazeface only: no mesh, no embedding). Throws InvalidImageError on bad input. */
export async function detectFaces(input: ImageInput, options: FaceDetectOptions = {}, runtime = HumanRuntime.shared()): Promise<DetectedFace[]> {
  const image = await prepareImage(input, options);
  const faces = await runtime.exclusive((human) => runFacePipeline(human, image, faceConfig(options, false)));
  return faces.map((face) => toDetected(image, face)).filter((face): face is DetectedFace => face !== null);
}

/**
 * Every face of the image with its embedding (blazeface + facemesh alignment + description model).
 * Faces the description model returned nothing for are left out. Throws InvalidImageError on bad input.
 */
export async function embedFaces(input: ImageInput, options: FaceDetectOptions = {}, runtime = HumanRuntime.shared()): Promise<EmbeddedFace[]> {
  const image = await prepareImage(input, options);
  const faces = await runtime.exclusive((human) => runFacePipeline(human, image, faceConfig(options, true)));
  const embedded: EmbeddedFace[] = [];
  for (const face of faces) {
    const detected = toDetected(image, face);
    if (!detected || !face.embedding?.length) continue;
    embedded.push({ ...detected, embedding: Float32Array.from(face.embedding) });
  }
  return embedded;
}
