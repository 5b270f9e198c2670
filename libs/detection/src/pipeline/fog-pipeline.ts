import { randomBytes } from 'node:crypto';
import type { FogConfig } from '@sentinel/config';
import type { FrameCodec, FrameMessage } from '@sentinel/contracts';
import type { LinkEmitter } from '@sentinel/transport';
import type { DwellAlert } from '../alerts/suspicious-watch';
import type { FaceFinder } from '../faces/face-finder';
import type { RgbImage } from '../image/decode-image';
import type { ObjectDetector } from '../model/object-detector';
import type { DetectionLog } from './detection-log';
import type { PlacedImage } from './frame-canvas';
import { FrameRejectedError, frameRejection } from './frame-rejected';
import type { FogStats } from './fog-stats';
import { CameraQueueStats, FairScheduler, QueueFullError } from './fair-scheduler';
import { FaceCropStage, SentCrop } from './stages/crops';
import { CodecDecoder, FrameDecoder, JpegFrameDecoder } from './stages/decode';
import { DetectResult, DetectStage, DetectorFailedError } from './stages/detect';
import { FogEmitter } from './stages/emit';
import { postProcess } from './stages/post-process';
import { AlertOptions, buildDwellAlert } from './stages/alerts';
import { DetectedOn, FrameRebuilder, RebuiltFrame } from './stages/rebuild';
import { TrackStage, TrackedFrameDetection } from './stages/track';
import { CameraCadence, CoastedTrack } from './stages/cadence';
import { PackerFigures, RegionPacker } from './region-packer';
import { carriedDetections } from './stages/carry-over';
import type { FrameDetection } from '../postprocess/postprocess';

/** `jpeg-decode`, not `decode`: the roof's `decode` (video) shares the StageTimer in an all-in-one process. */
export type FogStage = 'jpeg-decode' | 'preprocess' | 'inference' | 'postprocess' | 'tracking' | 'face-crop';

export { FrameRejectedError } from './frame-rejected';
export type { PlacedImage } from './frame-canvas';
export type { DetectedOn } from './stages/rebuild';
export type { SentCrop } from './stages/crops';
export type { TrackedFrameDetection } from './stages/track';

export interface FrameOutcome {
  detections: TrackedFrameDetection[];
  sentCrops: SentCrop[];
  alerts: DwellAlert[];
  /** Regions dropped as unusable (the frame went on with the rest). */
  droppedRegions: number;
  /** What the detector ran on: the whole frame, the rebuilt frame (regions pasted into the canvas) or each region alone. */
  detectedOn: DetectedOn;
  /** The camera's canvas is out of step with the roof: a whole frame would put it back in step. */
  needsWholeFrame: boolean;
}

/** The latest processed frame of a camera, for the annotated view: nothing in it is written after it is published. */
export interface LatestFrame {
  cameraId: string;
  seq: number;
  capturedAt: number;
  width: number;
  height: number;
  /** The most recent whole frame seen for this camera, if any. */
  base?: RgbImage;
  /** Regions of the latest message when it carried regions (drawn over `base`). */
  regions: PlacedImage[];
  detections: TrackedFrameDetection[];
}

/** The stages that keep state per camera. */
interface CameraStages {
  rebuild: FrameRebuilder;
  track: TrackStage;
  crops: FaceCropStage;
  cadence: CameraCadence;
  latest?: LatestFrame;
}

export interface FogPipelineDeps {
  config: FogConfig;
  detector: ObjectDetector;
  faces: FaceFinder;
  links: LinkEmitter;
  stats: FogStats;
  /** Receives one duration per stage per frame (ms). */
  recordStage: (stage: FogStage, ms: number) => void;
  log?: DetectionLog;
  warn?: (message: string) => void;
  /** Decoders for codecs other than JPEG (e.g. `h264`), by codec; JPEG is always decoded (sharp). */
  decoders?: Partial<Record<FrameCodec, FrameDecoder>>;
}

/** Crop deliveries in flight to the cloud; at this many, frames pick no new crops until one settles (see cloudHasRoom). */
const MAX_BACKGROUND_DELIVERIES = 32;

/**
 * The fog's per-frame work, one straight line of stages: decode, rebuild (regions into the camera's
 * canvas), detect, post-process, track, crops and alerts, emit. Frames wait in bounded per-camera
 * queues; a camera's frames run one at a time and in order (tracks need it), up to `concurrentFrames`
 * cameras' frames at once (the detector takes `lanes` of them at a time); `handle` resolves when its
 * frame is finished, which is the producer's backpressure.
 */
export class FogPipeline {
  private readonly queue: FairScheduler;
  private readonly cameras = new Map<string, CameraStages>();
  private readonly suspiciousIds: Set<number>;
  private readonly bootId = randomBytes(4).toString('hex');
  private readonly decoder: FrameDecoder;
  private readonly detector: DetectStage;
  /** Mode `packed` with a detector of a square input: regions of several frames share one detector run. */
  private readonly packer?: RegionPacker;
  private readonly emitter: FogEmitter;
  private readonly alertOptions: AlertOptions;
  private readonly deliveries = new Set<Promise<void>>();

  constructor(private readonly deps: FogPipelineDeps) {
    this.queue = new FairScheduler(deps.config.queueSize, Math.max(deps.config.concurrentFrames, deps.config.lanes));
    const labels = deps.detector.labels;
    this.suspiciousIds = new Set(deps.config.suspicious.classes.map((label) => labels.indexOf(label)).filter((id) => id >= 0));
    this.decoder = new CodecDecoder({ jpeg: new JpegFrameDecoder(deps.config.maxInputPixels, deps.stats, deps.warn), ...deps.decoders }, deps.stats);
    // A detector without a square input (Human's fallback) has nothing to pack into: packed works as canvas.
    const side = deps.detector.inputSide;
    if (deps.config.regionDetection === 'packed' && side) this.packer = new RegionPacker(deps.detector, side, deps.config.lanes);
    this.detector = new DetectStage(deps.detector, this.packer);
    this.emitter = new FogEmitter(deps.links, deps.stats, deps.log);
    this.alertOptions = { bootId: this.bootId, labels, snapshotMaxSide: deps.config.suspicious.snapshotMaxSide, jpegQuality: deps.config.crops.jpegQuality };
  }

  get stats(): FogStats {
    return this.deps.stats;
  }

  get queueDepth(): number {
    return this.queue.depth;
  }

  /** Packed detector runs so far (mode `packed`), undefined in the other modes. */
  packerFigures(): PackerFigures | undefined {
    return this.packer?.figures();
  }

  latest(cameraId: string): LatestFrame | undefined {
    return this.cameras.get(cameraId)?.latest;
  }

  /** Processes one roof message; rejects with FrameRejectedError (already counted) on bad input. */
  async handle(message: FrameMessage): Promise<FrameOutcome> {
    try {
      return await this.queue.run(message.cameraId, () => this.process(message));
    } catch (error) {
      if (error instanceof QueueFullError) {
        this.deps.stats.drop('queue-full');
        throw new FrameRejectedError('queue-full', `${message.cameraId}#${message.seq}: ${error.message}`);
      }
      throw error;
    } finally {
      this.deps.stats.queueDepth(this.queue.depth, Date.now(), this.queue.saturated);
    }
  }

  /** Per camera: frames processed, dropped to make room (oldest first) and waiting. */
  cameraQueues(): Map<string, CameraQueueStats> {
    return this.queue.stats();
  }

  /** Resolves once every frame accepted so far is finished. */
  async idle(): Promise<void> {
    await this.queue.idle();
    while (this.deliveries.size > 0) await Promise.all(this.deliveries);
  }

  /** Tracks a delivery the frame does not wait for (idle() does). */
  private sendInBackground(delivery: Promise<unknown>): void {
    const settled = delivery.then(
      () => undefined,
      (error: unknown) => this.deps.warn?.(`crop delivery failed: ${(error as Error).message}`),
    );
    this.deliveries.add(settled);
    void settled.finally(() => this.deliveries.delete(settled));
  }

  /**
   * False while MAX_BACKGROUND_DELIVERIES crop deliveries are outstanding: the cloud is behind. The
   * frame then picks no crops (no face search either) rather than waiting: detection never stalls on
   * the cloud, and since nothing was sent the tracks stay eligible, so a later frame sends their crop
   * once there is room. (Waiting here made a slow cloud cost every camera frames: 16 mostly still
   * cameras beside a busy cloud dropped 6% with the fog at 0.75 of 2 cores, bench:capacity.)
   */
  private get cloudHasRoom(): boolean {
    return this.deliveries.size < MAX_BACKGROUND_DELIVERIES;
  }

  private async process(message: FrameMessage): Promise<FrameOutcome> {
    const { config, stats, detector } = this.deps;
    stats.queueDepth(this.queue.depth, Date.now(), this.queue.saturated);
    const camera = this.camera(message.cameraId);
    const at = streamClock(message);
    const clock = new StageClock(this.deps.recordStage);

    const decoded = await this.decoder.decode(message);
    // Already counted; nothing to detect on until the roof's next keyframe.
    if ('outOfStep' in decoded) return { detections: [], sentCrops: [], alerts: [], droppedRegions: 0, detectedOn: 'frame', needsWholeFrame: true };
    const frame = camera.rebuild.apply(message, decoded);
    clock.lap('jpeg-decode');

    const behind = this.queue.waitingOf(message.cameraId) > 0;
    const cadence = camera.cadence.decide(message, at, frame.detectedOn !== 'regions', camera.track.active, behind);
    stats.cadence(cadence.decision.detect ? cadence.decision.why : cadence.decision.behind ? 'coasted-behind' : 'coasted');
    let detections = cadence.decision.detect ? await this.detectAndPostProcess(message, frame.images, frame.packed, clock) : coastedDetections(cadence.coasted, detector.labels);
    if (cadence.decision.detect && frame.packed) detections = [...detections, ...carriedDetections(cadence.coasted, frame.images.map(placedBox), detections, detector.labels)];
    stats.frame(message.kind, frame.detectedOn);
    for (const d of detections) stats.detection(d.label);

    // A coasted box is a prediction: its pixels say nothing about the person's appearance.
    const appearanceImages = cadence.decision.detect ? frame.images : [];
    const tracks = camera.track.update(detections, at, { images: appearanceImages, whole: frame.view });
    camera.crops.forget(tracks.ended);
    for (const reason of ['scene-change', 'appearance-change'] as const) if (tracks.reset[reason] > 0) stats.trackReset(reason, tracks.reset[reason]);
    for (const track of tracks.started) stats.trackStarted(detector.labels[track.classId] ?? `class-${track.classId}`);
    clock.lap('tracking');

    const cloudHasRoom = this.cloudHasRoom;
    if (!cloudHasRoom && tracks.tracked.length > 0) stats.drop('crops-deferred');
    const pendingCrops = cloudHasRoom ? await camera.crops.select(message, at, tracks.tracked, frame.images) : [];
    clock.lap('face-crop');
    camera.latest = latestFrame(message, frame, tracks.tracked, camera.latest);

    // Crops go up without holding the frame until the cloud has processed them (face recognition there
    // takes ~100 ms a crop, a WAN round trip more); the track's later crops must beat these from now on.
    for (const crop of pendingCrops) camera.crops.confirmSent(crop);
    if (pendingCrops.length > 0) this.sendInBackground(this.emitter.crops(pendingCrops));
    for (const dwell of tracks.dwellAlerts) await this.emitter.alert(await buildDwellAlert(message, at, dwell, tracks.tracked, frame.images, this.alertOptions));
    if (config.emitDetections) await this.emitter.detections(message, tracks.tracked);
    const sentCrops = pendingCrops.map((c) => c.sent);
    this.emitter.logLine(message, tracks.tracked, sentCrops, !cadence.decision.detect);
    return { detections: tracks.tracked, sentCrops, alerts: tracks.dwellAlerts, droppedRegions: decoded.droppedRegions, detectedOn: frame.detectedOn, needsWholeFrame: frame.needsWholeFrame };
  }

  /** Stages 3 and 4: the detector on the frame's images, then NMS and boxes in frame pixels. */
  private async detectAndPostProcess(message: FrameMessage, images: readonly PlacedImage[], packed: boolean, clock: StageClock): Promise<FrameDetection[]> {
    const { config, detector } = this.deps;
    const found = await this.detect(message, images, packed);
    clock.lap();
    const detections = postProcess(found.candidates, message, { nmsIou: config.nmsIou, maxDetections: config.maxDetections, labels: detector.labels });
    clock.record('preprocess', found.timings.preprocess);
    clock.record('inference', found.timings.inference);
    clock.lap('postprocess', found.timings.postprocess);
    return detections;
  }

  /** Stage 3, its failure counted as the frame's drop. */
  private async detect(message: FrameMessage, images: readonly PlacedImage[], packed: boolean): Promise<DetectResult> {
    try {
      return await this.detector.run(images, packed);
    } catch (error) {
      if (!(error instanceof DetectorFailedError)) throw error;
      this.deps.stats.drop('inference-error');
      throw frameRejection('inference-error', message, error.message);
    }
  }

  private camera(cameraId: string): CameraStages {
    let stages = this.cameras.get(cameraId);
    if (!stages) {
      const { config, faces, stats, warn } = this.deps;
      stages = {
        rebuild: new FrameRebuilder(config.regionDetection, this.packer ? (sizes) => this.packer!.fits(sizes) : undefined),
        track: new TrackStage(cameraId, config, this.suspiciousIds),
        crops: new FaceCropStage(config.crops, config.faces, faces, stats, warn),
        cadence: new CameraCadence(config.cadence),
      };
      this.cameras.set(cameraId, stages);
    }
    return stages;
  }
}

/** The tracker's predicted boxes as this frame's detections (a frame the detector skipped). */
function coastedDetections(coasted: readonly CoastedTrack[], labels: readonly string[]): FrameDetection[] {
  return coasted.map((t) => ({ classId: t.classId, label: labels[t.classId] ?? `class-${t.classId}`, score: t.score, box: t.box, source: 0 }));
}

/** Where a placed image lies in its frame. */
function placedBox(placed: PlacedImage): { x: number; y: number; width: number; height: number } {
  return { x: placed.offsetX, y: placed.offsetY, width: placed.image.width, height: placed.image.height };
}

/** What the annotated view shows for a camera after this frame. */
function latestFrame(message: FrameMessage, frame: RebuiltFrame, detections: TrackedFrameDetection[], previous: LatestFrame | undefined): LatestFrame {
  const regionsOnly = frame.detectedOn === 'regions';
  return {
    cameraId: message.cameraId,
    seq: message.seq,
    capturedAt: message.capturedAt,
    width: message.width,
    height: message.height,
    base: regionsOnly ? previous?.base : frame.view,
    regions: regionsOnly ? frame.images : [],
    detections,
  };
}

/** Records one duration per stage: the time since the previous lap (plus time measured elsewhere). */
class StageClock {
  private last = performance.now();

  constructor(private readonly sink: (stage: FogStage, ms: number) => void) {}

  lap(stage?: FogStage, extraMs = 0): void {
    const now = performance.now();
    if (stage) this.sink(stage, now - this.last + extraMs);
    this.last = now;
  }

  record(stage: FogStage, ms: number): void {
    this.sink(stage, ms);
  }
}

/** The clock tracks, crop retries and dwell times run on: the stream's own timeline when it has one. */
export function streamClock(message: FrameMessage): number {
  return message.streamTimeMs ?? message.capturedAt;
}
