import { randomBytes } from 'node:crypto';
import type { FogConfig } from '@sentinel/config';
import { AlertKinds, AlertMessage, DetectionsMessage, FaceCropMessage, FrameMessage, Patterns, SCHEMA_VERSION, TrackedDetection } from '@sentinel/contracts';
import type { LinkEmitter } from '@sentinel/transport';
import { DwellAlert, SuspiciousWatch } from '../alerts/suspicious-watch';
import { CropRefusedError, assertNotAFrame, encodeCrop } from '../faces/crop-encoder';
import { FaceFinder, FoundFace } from '../faces/face-finder';
import { BoxLike, expandBox } from '../geometry/box';
import { ImageRejectedError, RgbImage, decodeImage, expectSize } from '../image/decode-image';
import { PERSON_CLASS } from '../model/labels';
import { ObjectDetector } from '../model/object-detector';
import { Candidate } from '../postprocess/decode-outputs';
import { FrameDetection, finishDetections } from '../postprocess/postprocess';
import { CropPolicy } from '../tracking/crop-policy';
import { IouTracker } from '../tracking/iou-tracker';
import { DetectionLog, DetectionLogLine } from './detection-log';
import { AtlasPlacement, FrameCanvas, PlacedImage, cutRegions, placementFits } from './frame-canvas';
import { DropReason, FogStats } from './fog-stats';
import { QueueFullError, SerialQueue } from './serial-queue';

/** `jpeg-decode`, not `decode`: the roof's `decode` (video) shares the StageTimer in an all-in-one process. */
export type FogStage = 'jpeg-decode' | 'preprocess' | 'inference' | 'postprocess' | 'tracking' | 'face-crop';

/** A frame the fog refuses (bad image, queue full, detector failure); `reason` is the drop label. */
export class FrameRejectedError extends Error {
  constructor(
    readonly reason: DropReason,
    message: string,
  ) {
    super(message);
    this.name = 'FrameRejectedError';
  }
}

export type { PlacedImage } from './frame-canvas';

export interface TrackedFrameDetection extends FrameDetection {
  trackId: number;
}

export interface SentCrop {
  trackId: number;
  kind: 'face' | 'person';
  personBox: BoxLike;
  faceBox?: BoxLike;
  bytes: number;
  width: number;
  height: number;
}

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

export type DetectedOn = 'frame' | 'canvas' | 'regions';

/** A message's JPEG decoded: the whole frame, or the atlas and the region placements that fit. */
interface DecodedMessage {
  picture: RgbImage;
  placements: AtlasPlacement[];
  droppedRegions: number;
}

/** The latest processed frame of a camera, kept (by reference) for the annotated view. */
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

interface CameraState {
  canvas: FrameCanvas;
  tracker: IouTracker;
  crops: CropPolicy;
  watch: SuspiciousWatch;
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
}

/**
 * The fog's per-frame work: decode, detect (each region letterboxed on its own, NMS across them),
 * track, raise suspicious-object alerts, crop faces of new or better tracks and send them to the
 * cloud. Frames run one at a time through a bounded queue (inference is the bottleneck and tracks
 * need frame order); `handle` resolves when its frame is finished, which is the producer's
 * backpressure.
 */
export class FogPipeline {
  private readonly queue: SerialQueue;
  private readonly cameras = new Map<string, CameraState>();
  private readonly suspiciousIds: Set<number>;
  private readonly bootId = randomBytes(4).toString('hex');

  constructor(private readonly deps: FogPipelineDeps) {
    this.queue = new SerialQueue(deps.config.queueSize);
    const labels = deps.detector.labels;
    this.suspiciousIds = new Set(deps.config.suspicious.classes.map((label) => labels.indexOf(label)).filter((id) => id >= 0));
  }

  get stats(): FogStats {
    return this.deps.stats;
  }

  get queueDepth(): number {
    return this.queue.depth;
  }

  latest(cameraId: string): LatestFrame | undefined {
    return this.cameras.get(cameraId)?.latest;
  }

  /** Processes one roof message; rejects with FrameRejectedError (already counted) on bad input. */
  async handle(message: FrameMessage): Promise<FrameOutcome> {
    try {
      const outcome = await this.queue.run(() => this.process(message));
      return outcome;
    } catch (error) {
      if (error instanceof QueueFullError) {
        this.deps.stats.drop('queue-full');
        throw new FrameRejectedError('queue-full', `${message.cameraId}#${message.seq}: ${error.message}`);
      }
      throw error;
    } finally {
      this.deps.stats.queueDepth(this.queue.depth);
    }
  }

  /** Resolves once every frame accepted so far is finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private camera(cameraId: string): CameraState {
    let state = this.cameras.get(cameraId);
    if (!state) {
      const { tracker, crops, suspicious } = this.deps.config;
      state = {
        canvas: new FrameCanvas(),
        tracker: new IouTracker({ iouThreshold: tracker.iouThreshold, maxIdleMs: tracker.maxIdleMs, maxTracks: tracker.maxTracksPerCamera }),
        crops: new CropPolicy(crops),
        watch: new SuspiciousWatch({
          classIds: this.suspiciousIds,
          minDwellMs: suspicious.minDwellMs,
          zones: suspicious.zones.filter((z) => z.cameraId === cameraId).map((z) => ({ name: z.name, points: z.points })),
        }),
      };
      this.cameras.set(cameraId, state);
    }
    return state;
  }

  private reject(reason: DropReason, message: FrameMessage, detail: string): never {
    this.deps.stats.drop(reason);
    throw new FrameRejectedError(reason, `${message.cameraId}#${message.seq}: ${detail}`);
  }

  private async process(message: FrameMessage): Promise<FrameOutcome> {
    const { stats, recordStage } = this.deps;
    this.deps.stats.queueDepth(this.queue.depth);

    let t = performance.now();
    const camera = this.camera(message.cameraId);
    const decoded = await this.decode(message);
    const { droppedRegions } = decoded;
    const { images, detectedOn } = this.rebuild(message, camera.canvas, decoded);
    recordStage('jpeg-decode', performance.now() - t);

    const stageTotals = { preprocess: 0, inference: 0, postprocess: 0 };
    const candidates: Candidate[] = [];
    for (const [source, placed] of images.entries()) {
      try {
        const found = await this.deps.detector.detect(placed.image, { offsetX: placed.offsetX, offsetY: placed.offsetY, source }, (stage, ms) => (stageTotals[stage] += ms));
        for (const c of found) candidates.push(c);
      } catch (error) {
        this.reject('inference-error', message, `detector failed: ${(error as Error).message}`);
      }
    }
    t = performance.now();
    const { config } = this.deps;
    const detections = finishDetections(candidates, {
      nmsIou: config.nmsIou,
      maxDetections: config.maxDetections,
      frameWidth: message.width,
      frameHeight: message.height,
      labels: this.deps.detector.labels,
    });
    stageTotals.postprocess += performance.now() - t;
    recordStage('preprocess', stageTotals.preprocess);
    recordStage('inference', stageTotals.inference);
    recordStage('postprocess', stageTotals.postprocess);

    stats.frame(message.kind, detectedOn);
    for (const d of detections) stats.detection(d.label);

    t = performance.now();
    const at = streamClock(message);
    const update = camera.tracker.update(detections, at);
    for (const track of update.ended) {
      camera.crops.forget(track.id);
      camera.watch.forget(track.id);
    }
    for (const track of update.started) stats.trackStarted(this.deps.detector.labels[track.classId] ?? `class-${track.classId}`);
    const tracked: TrackedFrameDetection[] = detections.map((d, i) => ({ ...d, trackId: update.assigned[i].id }));
    const dwellAlerts = camera.watch.update(
      tracked.map((d) => ({ trackId: d.trackId, classId: d.classId, box: d.box })),
      at,
    );
    recordStage('tracking', performance.now() - t);

    t = performance.now();
    const crops = await this.cropFaces(message, at, camera, tracked, images);
    recordStage('face-crop', performance.now() - t);

    camera.latest = {
      cameraId: message.cameraId,
      seq: message.seq,
      capturedAt: message.capturedAt,
      width: message.width,
      height: message.height,
      base: detectedOn === 'regions' ? camera.latest?.base : images[0]?.image,
      regions: detectedOn === 'regions' ? images : [],
      detections: tracked,
    };

    const sentCrops: SentCrop[] = [];
    for (const crop of crops) {
      const outcome = await this.deps.links.emit(Patterns.FaceCrop, crop.message, { whenFull: 'wait' });
      if (outcome !== 'delivered') {
        stats.drop('crop-not-delivered');
        continue;
      }
      camera.crops.recordSent(crop.sent.trackId, crop.sent.kind, crop.face);
      stats.cropSent(crop.sent.kind, crop.sent.bytes);
      sentCrops.push(crop.sent);
    }

    for (const alert of dwellAlerts) await this.raiseAlert(message, at, alert, tracked, images);

    if (config.emitDetections) await this.emitDetections(message, tracked);
    this.writeLog(message, tracked, sentCrops);
    const needsWholeFrame = this.deps.config.regionDetection === 'canvas' && camera.canvas.current === undefined;
    return { detections: tracked, sentCrops, alerts: dwellAlerts, droppedRegions, detectedOn, needsWholeFrame };
  }

  /**
   * What to detect on: a whole frame as it is (it also becomes the camera's canvas); regions pasted
   * into the canvas when it holds the frame they update and `fog.regionDetection` is `canvas`
   * (one detector run over whole people); otherwise each region cut out of the atlas on its own.
   */
  private rebuild(message: FrameMessage, canvas: FrameCanvas, decoded: DecodedMessage): { images: PlacedImage[]; detectedOn: DetectedOn } {
    const { picture, placements, droppedRegions } = decoded;
    if (message.kind === 'frame') {
      canvas.replace(picture, message.seq);
      return { images: [{ image: picture, offsetX: 0, offsetY: 0 }], detectedOn: 'frame' };
    }
    // A dropped region leaves a hole in the canvas: out of step until the next whole frame.
    if (droppedRegions > 0) canvas.invalidate();
    const rebuilt = droppedRegions === 0 ? canvas.update(picture, placements, message.width, message.height, message.seq, message.baseSeq) : undefined;
    if (rebuilt && this.deps.config.regionDetection === 'canvas') return { images: [{ image: rebuilt, offsetX: 0, offsetY: 0 }], detectedOn: 'canvas' };
    return { images: cutRegions(picture, placements), detectedOn: 'regions' };
  }

  /**
   * Decodes the message's JPEG: the whole frame, or the atlas of its regions with the placements
   * that fit. A region placed outside the frame or the atlas is dropped and counted, the rest go on.
   */
  private async decode(message: FrameMessage): Promise<DecodedMessage> {
    if (!message.jpeg) this.reject('missing-image', message, `kind ${message.kind} without jpeg`);
    let picture: RgbImage;
    try {
      picture = await decodeImage(message.jpeg, this.deps.config.maxInputPixels);
      if (message.kind === 'frame') expectSize(picture, message.width, message.height, 'frame');
    } catch (error) {
      if (error instanceof ImageRejectedError) this.reject(error.reason, message, `${message.kind === 'frame' ? 'frame' : 'atlas'}: ${error.message}`);
      throw error;
    }
    if (message.kind === 'frame') return { picture, placements: [], droppedRegions: 0 };

    const regions = message.regions ?? [];
    const placements: AtlasPlacement[] = [];
    const errors: FrameRejectedError[] = [];
    for (const [index, region] of regions.entries()) {
      this.deps.stats.region();
      const fit = placementFits(region, message, picture);
      if (fit === 'ok') {
        placements.push(region);
        continue;
      }
      const reason: DropReason = fit === 'outside-frame' ? 'region-outside-frame' : 'region-outside-atlas';
      const where = `region ${index} ${region.width}x${region.height}+${region.x}+${region.y}`;
      const detail =
        fit === 'outside-frame'
          ? `${where} lies outside the ${message.width}x${message.height} frame`
          : `${where} at ${region.atlasX},${region.atlasY} lies outside the ${picture.width}x${picture.height} atlas`;
      this.deps.stats.drop(reason);
      errors.push(new FrameRejectedError(reason, `${message.cameraId}#${message.seq}: ${detail}`));
    }
    if (errors.length > 0 && placements.length === 0) throw errors[0];
    if (errors.length > 0) this.deps.warn?.(`${errors[0].message} (region dropped, the others processed)`);
    return { picture, placements, droppedRegions: errors.length };
  }

  /** Face searches for the person tracks worth one; returns the crops to send (not yet sent). */
  private async cropFaces(
    message: FrameMessage,
    at: number,
    camera: CameraState,
    tracked: readonly TrackedFrameDetection[],
    images: readonly PlacedImage[],
  ): Promise<{ message: FaceCropMessage; sent: SentCrop; face: FoundFace | null }[]> {
    const { crops: options } = this.deps.config;
    const persons = tracked.filter((d) => d.classId === PERSON_CLASS);
    const picked = camera.crops.pickSearches(
      persons.map((d) => ({ trackId: d.trackId, box: d.box, score: d.score })),
      at,
    );
    const out: { message: FaceCropMessage; sent: SentCrop; face: FoundFace | null }[] = [];
    for (const pick of picked) {
      const person = persons.find((p) => p.trackId === pick.trackId)!;
      const placed = images[person.source];
      if (!placed) continue;
      const local = { x: person.box.x - placed.offsetX, y: person.box.y - placed.offsetY, width: person.box.width, height: person.box.height };
      let face: FoundFace | null = null;
      if (person.box.height >= options.minPersonHeightForFace) {
        try {
          this.deps.stats.faceSearch();
          face = await this.deps.faces.find(placed.image, local);
        } catch (error) {
          this.deps.stats.drop('face-search-failed');
          this.deps.warn?.(`face search failed on ${message.cameraId} track ${person.trackId}: ${(error as Error).message}`);
        }
      }
      const decision = camera.crops.decide(person.trackId, at, person.box, face);
      if (decision.send === 'nothing') continue;
      const kind = decision.send;
      try {
        const encoded =
          kind === 'face' && face
            ? await encodeCrop(placed.image, expandBox(face.box, options.faceMargin), { maxSide: options.faceMaxSide, quality: options.jpegQuality, maxBytes: options.maxBytes })
            : await encodeCrop(placed.image, local, { maxSide: options.personMaxSide, quality: options.jpegQuality, maxBytes: options.maxBytes });
        assertNotAFrame({ width: encoded.width, height: encoded.height, bytes: encoded.jpeg.length }, message, options.maxBytes);
        const toFrame = (b: BoxLike): BoxLike => ({ x: b.x + placed.offsetX, y: b.y + placed.offsetY, width: b.width, height: b.height });
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
          ...(faceBox && face ? { faceBox, faceScore: Math.min(1, face.score) } : {}),
        });
        out.push({
          message: crop,
          face: kind === 'face' ? face : null,
          sent: { trackId: person.trackId, kind, personBox: person.box, faceBox, bytes: encoded.jpeg.length, width: encoded.width, height: encoded.height },
        });
      } catch (error) {
        if (!(error instanceof CropRefusedError)) throw error;
        this.deps.stats.drop('crop-refused');
        this.deps.warn?.(`crop refused on ${message.cameraId} track ${person.trackId}: ${error.message}`);
      }
    }
    return out;
  }

  private async raiseAlert(message: FrameMessage, at: number, alert: DwellAlert, tracked: readonly TrackedFrameDetection[], images: readonly PlacedImage[]): Promise<void> {
    const detection = tracked.find((d) => d.trackId === alert.trackId);
    const placed = detection ? images[detection.source] : undefined;
    let snapshot: Buffer | undefined;
    if (detection && placed) {
      const local = { x: detection.box.x - placed.offsetX, y: detection.box.y - placed.offsetY, width: detection.box.width, height: detection.box.height };
      try {
        const max = this.deps.config.suspicious.snapshotMaxSide;
        snapshot = (await encodeCrop(placed.image, expandBox(local, 0.5), { maxSide: max, quality: this.deps.config.crops.jpegQuality, maxBytes: 1024 * 1024 })).jpeg;
      } catch {
        snapshot = undefined;
      }
    }
    const label = this.deps.detector.labels[alert.classId] ?? `class-${alert.classId}`;
    const dwellMs = at - alert.since;
    const seconds = Math.round(dwellMs / 1000);
    const body = Object.assign(new AlertMessage(), {
      v: SCHEMA_VERSION,
      cameraId: message.cameraId,
      capturedAt: message.capturedAt,
      id: `fog-${this.bootId}-${message.cameraId}-so-${alert.trackId}`,
      kind: AlertKinds.SuspiciousObject,
      at: Date.now(),
      trackId: alert.trackId,
      subject: label,
      label,
      score: detection?.score,
      boxes: [alert.box],
      message: `${label} left ${alert.zone ? `in zone ${alert.zone} ` : ''}on camera ${message.cameraId} for ${seconds} s`,
      ...(snapshot ? { snapshot } : {}),
      details: { since: message.capturedAt - dwellMs, zone: alert.zone ?? null },
    });
    const outcome = await this.deps.links.emit(Patterns.Alert, body, { whenFull: 'wait' });
    if (outcome === 'delivered') this.deps.stats.alert();
    else this.deps.stats.drop('alert-not-delivered');
  }

  private async emitDetections(message: FrameMessage, tracked: readonly TrackedFrameDetection[]): Promise<void> {
    const body = Object.assign(new DetectionsMessage(), {
      v: SCHEMA_VERSION,
      cameraId: message.cameraId,
      capturedAt: message.capturedAt,
      seq: message.seq,
      width: message.width,
      height: message.height,
      detections: tracked.map((d) => Object.assign(new TrackedDetection(), { classId: d.classId, label: d.label, score: d.score, box: d.box, trackId: d.trackId })),
    });
    await this.deps.links.emit(Patterns.Detections, body, { whenFull: 'drop' });
  }

  private writeLog(message: FrameMessage, tracked: readonly TrackedFrameDetection[], sentCrops: readonly SentCrop[]): void {
    const log = this.deps.log;
    if (!log) return;
    const line: DetectionLogLine = {
      cameraId: message.cameraId,
      seq: message.seq,
      capturedAt: message.capturedAt,
      width: message.width,
      height: message.height,
      kind: message.kind,
      detections: tracked.map((d) => ({ classId: d.classId, label: d.label, score: round(d.score, 4), box: roundBox(d.box), trackId: d.trackId })),
      sentCrops: sentCrops.map((c) => ({ trackId: c.trackId, personBox: roundBox(c.personBox), kind: c.kind, bytes: c.bytes })),
    };
    if (!log.write(line)) this.deps.stats.drop('log-backlog');
  }
}

const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const roundBox = (b: BoxLike): BoxLike => ({ x: round(b.x, 1), y: round(b.y, 1), width: round(b.width, 1), height: round(b.height, 1) });


/** The clock tracks, crop retries and dwell times run on: the stream's own timeline when it has one. */
export function streamClock(message: FrameMessage): number {
  return message.streamTimeMs ?? message.capturedAt;
}
