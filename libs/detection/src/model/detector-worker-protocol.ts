import type { PixelFormat } from '@sentinel/contracts';
import type { Candidate } from '../postprocess/decode-outputs';
import type { ImagePlacement } from '../postprocess/postprocess';
import type { YoloDetectorOptions } from './yolo-detector';

/** What the main thread asks a detector worker (one YOLO session per worker). */
export type DetectorRequest = { id: number; image: WorkerImage; placement: ImagePlacement };

/** An image for a worker: rgb24, or a video frame's yuv420p planes (half the bytes to copy; the worker scales it from the planes). */
export type WorkerImage = { data: Uint8Array; width: number; height: number; pixelFormat: PixelFormat };

export type StageTimes = { preprocess: number; inference: number; postprocess: number };

/** What a detector worker answers: once `ready` (or `failed` at boot), then one reply per request. */
export type DetectorReply =
  | { kind: 'ready'; labels: readonly string[]; description: string; inputSide: number }
  | { kind: 'failed'; name: string; message: string }
  | { kind: 'result'; id: number; candidates: Candidate[]; stages: StageTimes }
  | { kind: 'error'; id: number; message: string };

export type DetectorWorkerData = { options: YoloDetectorOptions };
