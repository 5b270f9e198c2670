import type { Config, FaceResult, Human } from '@vladmandic/human';
import { alignedFaceCrop } from './face-alignment';
import { HumanRuntime } from './human-runtime';
import type { Box } from '@sentinel/contracts';
import { ImageInput, PreparedImage, PrepareOptions, prepareImage, toSourceBox } from './image-input';

export interface FaceDetectOptions extends PrepareOptions {
  /** Minimum detector confidence 0..1 (default 0.2, Human's default). */
  minScore?: number;
  /** At most this many faces (default 20). */
  maxFaces?: number;
}

export interface FaceEmbedOptions extends FaceDetectOptions {
  /**
   * Feed the description model a crop aligned by five facemesh landmarks to the ArcFace template
   * (default true) instead of Human's own crop of the rolled-upright box. On ../shared/data/faces it
   * took leave-one-person-out stranger and same-person scores apart (libs/face-recognition/README.md).
   */
  align?: boolean;
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

function faceConfig(options: FaceDetectOptions, withMesh: boolean, withDescription = withMesh): Partial<Config['face']> {
  return {
    enabled: true,
    // Scale 1.4 (Human's default) gives the mesh the context it needs; plain detection reports the
    // detector's own tight box (scale 1).
    detector: { minConfidence: options.minScore ?? 0.2, maxDetected: options.maxFaces ?? 20, scale: withMesh ? 1.4 : 1, rotation: withMesh },
    // For embeddings the face is rotated upright (roll) from the detector's eye landmarks and checked by
    // the mesh (a crop whose mesh confidence is low is not a face); plain detection needs neither.
    mesh: { enabled: withMesh },
    description: { enabled: withDescription },
  } as Partial<Config['face']>;
}

/** Face boxes and scores (blazeface only: no mesh, no embedding). Throws InvalidImageError on bad input. */
export async function detectFaces(input: ImageInput, options: FaceDetectOptions = {}, runtime = HumanRuntime.shared()): Promise<DetectedFace[]> {
  const image = await prepareImage(input, options);
  const faces = await runtime.exclusive((human) => runFacePipeline(human, image, faceConfig(options, false)));
  return faces.map((face) => toDetected(image, face)).filter((face): face is DetectedFace => face !== null);
}

type GraphModel = { execute: (input: unknown) => unknown; inputs: { shape?: number[] }[] };

/** The description model Human loaded (`faceres` slot, whatever file `descriptionModel` named). */
function descriptionModelOf(human: Human): GraphModel {
  const model = (human.models as unknown as { models: Record<string, GraphModel | null | undefined> }).models.faceres;
  if (!model?.execute) throw new Error('Human has no face description model loaded');
  return model;
}

/** Input side of the description model (faceres: 224). */
export function descriptionInputSize(human: Human): number {
  const side = descriptionModelOf(human).inputs[0]?.shape?.[1];
  return side && side > 0 ? side : 224;
}

/**
 * Runs the description model on an aligned `size x size` RGB crop (0..255, what faceres expects) and
 * returns the descriptor: the 1024-wide output of faceres, or the widest output of another model.
 */
export async function describeAligned(human: Human, crop: Float32Array, size: number): Promise<Float32Array> {
  const tf = human.tf;
  const input = tf.tensor4d(crop, [1, size, size, 3]);
  const raw = descriptionModelOf(human).execute(input);
  const outputs = (Array.isArray(raw) ? raw : [raw]) as { shape: number[]; data: () => Promise<Float32Array> }[];
  try {
    const widest = outputs.reduce((best, t) => ((t.shape.at(-1) ?? 0) > (best.shape.at(-1) ?? 0) ? t : best));
    return Float32Array.from(await widest.data());
  } finally {
    tf.dispose([input, ...outputs] as unknown as Parameters<typeof tf.dispose>[0]);
  }
}

/**
 * Every face of the image with its embedding: blazeface + facemesh, then the description model on a
 * crop aligned by the mesh's landmarks (`align`, default) or on Human's own crop. Faces the
 * description model returned nothing for are left out. Throws InvalidImageError on bad input.
 */
export async function embedFaces(input: ImageInput, options: FaceEmbedOptions = {}, runtime = HumanRuntime.shared()): Promise<EmbeddedFace[]> {
  const image = await prepareImage(input, options);
  if (options.align ?? true) return runtime.exclusive((human) => embedAligned(human, image, options));
  const faces = await runtime.exclusive((human) => runFacePipeline(human, image, faceConfig(options, true)));
  const embedded: EmbeddedFace[] = [];
  for (const face of faces) {
    const detected = toDetected(image, face);
    if (!detected || !face.embedding?.length) continue;
    embedded.push({ ...detected, embedding: Float32Array.from(face.embedding) });
  }
  return embedded;
}

/** Mesh without Human's description pass, then the description model on each landmark-aligned crop. */
export async function embedAligned(human: Human, image: PreparedImage, options: FaceDetectOptions): Promise<EmbeddedFace[]> {
  const faces = await runFacePipeline(human, image, faceConfig(options, true, false));
  const size = descriptionInputSize(human);
  const embedded: EmbeddedFace[] = [];
  for (const face of faces) {
    const detected = toDetected(image, face);
    if (!detected || !face.mesh || face.mesh.length === 0) continue;
    const crop = alignedFaceCrop(image.rgb, image.width, image.height, face.mesh, size);
    embedded.push({ ...detected, embedding: await describeAligned(human, crop, size) });
  }
  return embedded;
}
