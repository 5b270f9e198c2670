import { availableParallelism } from 'node:os';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateBy,
  ValidateNested,
} from 'class-validator';

const isPointList = (value: unknown): boolean =>
  Array.isArray(value) && value.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n)));

export const RegionDetectionModes = ['canvas', 'each', 'packed'] as const;
export type RegionDetectionMode = (typeof RegionDetectionModes)[number];

export const YoloFamilies = ['yolov5', 'yolov8', 'yolox'] as const;

/** onnxruntime execution providers by their onnxruntime-node names; which ones a build has is checked at boot. */
export const ExecutionProviders = ['cpu', 'cuda', 'tensorrt', 'webgpu', 'dml', 'coreml', 'qnn'] as const;
export type ExecutionProvider = (typeof ExecutionProviders)[number];
export type YoloFamily = (typeof YoloFamilies)[number];

/** Per-camera tracker (IoU matching of detections to tracks). */
export class FogTrackerConfig {
  /** A detection joins a track of its class when their IoU is at least this. */
  @Min(0.01) @Max(1) @IsNumber() iouThreshold = 0.3;
  /** A track not seen for this long (capture time, ms) ends. */
  @Min(100) @Max(600_000) @IsInt() maxIdleMs = 2_000;
  /** Tracks kept per camera at most (the oldest idle ones end first). */
  @Min(1) @Max(10_000) @IsInt() maxTracksPerCamera = 500;
}

/** What goes up to the cloud for each person track. */
export class FogCropConfig {
  /** Longest side of a face crop, pixels (never enlarged). */
  @Min(16) @Max(1024) @IsInt() faceMaxSide = 160;
  /** Longest side of a person crop (sent when no face is found and noFace is `person`). */
  @Min(16) @Max(1024) @IsInt() personMaxSide = 256;
  /** JPEG quality of crops; lowered step by step when a crop would exceed maxBytes. */
  @Min(1) @Max(100) @IsInt() jpegQuality = 80;
  /** Upper bound of one crop's JPEG size, bytes. */
  @Min(1024) @Max(512 * 1024) @IsInt() maxBytes = 16 * 1024;
  /** Margin added around the face box before cropping, as a fraction of its size. */
  @Min(0) @Max(2) @IsNumber() faceMargin = 0.25;
  /** No face found on a person: send the person crop (the paper's behaviour) or nothing. */
  @IsIn(['person', 'none'], { message: 'noFace must be one of: person, none' }) noFace: 'person' | 'none' = 'person';
  /** Crops sent per track at most (the first usable face, then only clearly better faces). */
  @Min(1) @Max(100) @IsInt() maxPerTrack = 3;
  /** A later face is sent only when its quality score beats the best one sent by this factor. */
  @Min(1) @Max(100) @IsNumber() betterFactor = 1.25;
  /** Minimum capture-time gap between two face searches of one track, ms (with faces.searchEveryFrames). */
  @Min(0) @Max(600_000) @IsInt() retryIntervalMs = 400;
  /** Face searches per frame at most (bounds the face-crop stage: one Human search costs ~60-200 ms here). */
  @Min(1) @Max(100) @IsInt() maxSearchesPerFrame = 1;
  /** Persons shorter than this (frame pixels) are not searched for a face: their face has too few pixels to recognise (~1/7 of the height). */
  @Min(0) @Max(4096) @IsInt() minPersonHeightForFace = 128;
  /** Human face detector confidence needed to call a box a face. */
  @Min(0) @Max(1) @IsNumber() minFaceScore = 0.5;
}

/**
 * How often each camera's frames go through the detector. Between detector runs the tracker's
 * prediction stands in for frames whose change the tracks explain; anything new, fast or unexplained
 * runs the detector at once.
 */
export class FogCadenceConfig {
  /** Detect at least every this many frames of a camera; 1 runs the detector on every frame. */
  @Min(1) @Max(30) @IsInt() maxInterval = 1;
  /**
   * While a camera's frames queue up in the fog (it falls behind its source), detect on at least every
   * this many of its frames and let the tracker carry the others, whatever changed: under overload a
   * camera's detections thin out instead of its frames being dropped. 1 turns this off.
   */
  @Min(1) @Max(30) @IsInt() maxIntervalWhenBehind = 2;
  /** Share of the roof's change that must lie inside the tracks' grown boxes for the tracker to suffice. */
  @Min(0) @Max(1) @IsNumber() minCoverage = 0.7;
  /** Track boxes grow by this share of their size on each side before that test. */
  @Min(0) @Max(2) @IsNumber() margin = 0.2;
  /** ... and by this many pixels (the roof pads changed regions and aligns them to 16-px blocks). */
  @Min(0) @Max(1024) @IsInt() marginPx = 16;
  /** A track moving more than this share of its width per frame is too fast to predict from its velocity. */
  @Min(0) @Max(10) @IsNumber() maxStepShare = 0.5;
}

const qualityWeightSum = (f: FogFaceConfig): number => [f.sizeWeight, f.scoreWeight, f.sharpnessWeight, f.frontalWeight].reduce((sum, w) => sum + (typeof w === 'number' ? w : 0), 0);

/** The face search over a track's life (which faces are worth sending) and when a track ends because the person changed. */
export class FogFaceConfig {
  /** A track is searched for a face at most once every this many frames of its camera (round-robin over the tracks due). */
  @Min(1) @Max(1000) @IsInt() searchEveryFrames = 5;
  /** Faces whose smaller side is below this (source pixels) are not sent as faces, only counted: Human's embeddings stop matching below ~28 px (libs/detection/README.md). */
  @Min(4) @Max(1024) @IsInt() minFaceSize = 28;
  /** Face size (smaller side, px) from which size adds nothing more to the quality score. */
  @ValidateBy({ name: 'aboveMinFaceSize', validator: { validate: (v: unknown, args) => typeof v === 'number' && v > (args?.object as FogFaceConfig).minFaceSize, defaultMessage: () => 'goodFaceSize must be larger than minFaceSize' } })
  @Min(8)
  @Max(4096)
  @IsInt()
  goodFaceSize = 80;
  /** Weights of the quality score (normalised to sum 1): face size, detector score, sharpness, frontal; at least one above 0. */
  @ValidateBy({ name: 'someWeight', validator: { validate: (_: unknown, args) => qualityWeightSum(args?.object as FogFaceConfig) > 0, defaultMessage: () => 'the face quality weights (sizeWeight, scoreWeight, sharpnessWeight, frontalWeight) must not all be 0' } })
  @Min(0)
  @Max(1)
  @IsNumber()
  sizeWeight = 0.35;
  @Min(0) @Max(1) @IsNumber() scoreWeight = 0.15;
  @Min(0) @Max(1) @IsNumber() sharpnessWeight = 0.25;
  @Min(0) @Max(1) @IsNumber() frontalWeight = 0.25;
  /** A person box whose colour histogram overlaps its track's by less than this (histogram intersection, 0..1) is a new person: the track ends. 0 disables. */
  @Min(0) @Max(1) @IsNumber() appearanceMinOverlap = 0.3;
  /** A frame where at least this fraction of grid cells changed (vs the previous frame) is a scene change: the camera's tracks end. */
  @Min(0.1) @Max(1) @IsNumber() sceneChangeFraction = 0.3;
  /** Mean grey difference (0..255) that makes a grid cell count as changed. */
  @Min(1) @Max(255) @IsInt() sceneCellDelta = 24;
}

/** A polygon (frame pixels) of one camera where suspicious objects count. */
export class FogZoneConfig {
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/) @IsString() cameraId!: string;
  @IsOptional() @IsString() name?: string;
  /** [[x, y], ...] in frame pixels, at least 3 points. */
  @ValidateBy({ name: 'isPointList', validator: { validate: isPointList, defaultMessage: () => 'points must be [[x, y], ...] numbers' } })
  @ArrayMinSize(3)
  @ArrayMaxSize(256)
  @IsArray()
  points!: [number, number][];
}

/** Local alerts for objects left in view (no cloud round trip). */
export class FogSuspiciousConfig {
  /** COCO labels that count as suspicious; empty disables these alerts. */
  @IsString({ each: true }) @IsArray() classes: string[] = ['backpack', 'handbag', 'suitcase'];
  /** The object must stay (tracked) this long, ms, before the alert. */
  @Min(0) @Max(86_400_000) @IsInt() minDwellMs = 10_000;
  /** Optional zones; a camera with zones alerts only for objects whose box bottom-centre lies inside one. */
  @ValidateNested({ each: true }) @Type(() => FogZoneConfig) @IsArray() zones: FogZoneConfig[] = [];
  /** Longest side of the snapshot attached to the alert. */
  @Min(16) @Max(2048) @IsInt() snapshotMaxSide = 320;
}

/**
 * Fog replicas sharing a site's cameras (with `links.roofToFog.transport: redis-streams` and
 * `perCamera: true`): each camera is read by the one fog holding its lease in that Redis. A fog that
 * dies keeps its cameras at most `leaseTtlMs`; the others take them within `leaseTtlMs + 2 x renewMs`.
 */
export class FogReplicasConfig {
  /** A camera's lease lasts this long (ms) unless renewed: the bound on how long a dead fog keeps its cameras. */
  @Min(300) @Max(600_000) @IsInt() leaseTtlMs = 5_000;
  /** Every this many ms a fog renews its leases, counts the fogs alive and takes or hands over cameras (at most a third of leaseTtlMs). */
  @ValidateBy({ name: 'renewBelowTtl', validator: { validate: (v: unknown, args) => typeof v === 'number' && v * 3 <= (args?.object as FogReplicasConfig).leaseTtlMs, defaultMessage: () => 'renewMs must be at most a third of leaseTtlMs' } })
  @Min(50)
  @Max(200_000)
  @IsInt()
  renewMs = 1_000;
}

/** Settings of the fog (detection) module. Every property needs class-validator decorators (unknown keys are errors). */
export class FogConfig {
  /**
   * onnxruntime intra-op threads of each detector session (inter-op: 1, these graphs are a chain).
   * Default from the core count: half the cores, the rest left to decode, tracking, face search and
   * the links (1 on 2 cores, where two threads were slower than one once the machine was busy: README,
   * bench:fog).
   */
  @IsInt() @Min(1) @Max(64) threads = Math.max(1, Math.floor(availableParallelism() / 2));
  /**
   * Frames of different cameras in the detector at once (a camera's frames always run one at a time and
   * in order). With `detectorThread: worker` each lane is a worker thread with its own session; on the
   * main thread the lanes share one session, whose `run` blocks that thread (no real overlap).
   */
  @IsInt() @Min(1) @Max(16) lanes = 1;

  /**
   * Frames of different cameras in the fog at once (decode, detect, track, face search, emit; a camera's
   * own frames always run one at a time and in order). The detector itself still takes `lanes` images at
   * a time: while one camera's frame infers, the others decode, track and search faces.
   */
  @IsInt() @Min(1) @Max(64) concurrentFrames = 4;

  /**
   * Where a YOLO model infers: `worker` (default) on worker threads, so inference (onnxruntime-node's
   * `run` is synchronous) never holds up the other cameras, the links and HTTP; `main` on the main thread.
   * Human's fallback detector always runs on the main thread.
   */
  @IsIn(['worker', 'main'], { message: 'detectorThread must be worker or main' })
  detectorThread: 'worker' | 'main' = 'worker';

  /**
   * Where the YOLO session runs. `cpu` (default) works everywhere; another provider must be in this
   * onnxruntime-node build and able to start (driver, libraries, device), or the fog refuses to boot.
   */
  @IsIn(ExecutionProviders as unknown as string[], { message: `executionProvider must be one of: ${ExecutionProviders.join(', ')}` })
  executionProvider: ExecutionProvider = 'cpu';

  /** YOLO ONNX file (see models/README.md). Unset: Human's bundled COCO detector is used instead. */
  @IsOptional() @IsString() modelPath?: string;

  /** Output family of the model; required with modelPath and checked against the model at boot. */
  @ValidateIf((f: FogConfig) => f.modelPath !== undefined && f.modelPath !== '')
  @IsIn(YoloFamilies as unknown as string[], { message: `family must be one of: ${YoloFamilies.join(', ')} (required with modelPath)` })
  family?: YoloFamily;

  /** Input side for models with dynamic input dimensions (fixed-size models use their own). */
  @Min(32) @Max(4096) @IsInt() inputSize = 640;

  /** Detections below this score are dropped. */
  @Min(0) @Max(1) @IsNumber() confidence = 0.3;
  /** Per-class NMS IoU threshold. */
  @Min(0) @Max(1) @IsNumber() nmsIou = 0.45;
  /**
   * Labels to keep; empty keeps every class. Unset: what surveillance needs, people, vehicles and bags
   * (person, bicycle, car, motorbike, bus, truck, backpack, handbag, suitcase) plus suspicious.classes,
   * for a COCO model (every class for another model). Person is always kept (tracks and crops need it).
   */
  @IsOptional() @IsString({ each: true }) @IsArray() classes?: string[];
  /** Detections kept per frame at most (highest scores). */
  @Min(1) @Max(1000) @IsInt() maxDetections = 300;

  /** Decoded images larger than this many pixels are rejected. */
  @Min(1) @Max(268_402_689) @IsInt() maxInputPixels = 40_000_000;
  /**
   * How `regions` messages are detected on. `packed` (default): the regions of one or several
   * cameras' frames packed into one model input at their own scale (one detector run for all of
   * them), what the last run found outside the regions carried over; the rebuilt frame as in `canvas`
   * when a frame's regions do not fit one input, and `canvas` altogether for a detector without a
   * square input (Human's fallback). `canvas`: pasted into the camera's last frame, and the detector
   * runs once on the rebuilt frame (whole people even where only part of them moved; falls back to
   * `each` until a whole frame arrives after a restart or a missed message). `each`: every region
   * letterboxed on its own.
   */
  @IsIn(RegionDetectionModes as unknown as string[], { message: `regionDetection must be one of: ${RegionDetectionModes.join(', ')}` })
  regionDetection: RegionDetectionMode = 'packed';
  /**
   * Frames of one camera waiting for the detector at most. Cameras take turns; a frame arriving at a
   * full queue pushes out that camera's oldest waiting frame (counted per camera), so a saturated fog
   * keeps every camera's freshest frames and a busy camera cannot starve a quiet one.
   */
  @Min(1) @Max(1000) @IsInt() queueSize = 8;
  /** /health: the detector is down once its queue has stayed full this long (inference stuck or far too slow). */
  @Min(1) @IsInt() queueFullDownAfterMs = 10_000;

  /** Also send each frame's detections to the notification link (`detections`, dropped when the link is full). */
  @IsBoolean() emitDetections = false;

  /** Appends one JSON line per processed frame (detections and sent crops) for evaluation; relative to dataDir. Off when unset. */
  @IsOptional() @IsString() detectionLogPath?: string;

  @ValidateNested() @Type(() => FogTrackerConfig) tracker: FogTrackerConfig = new FogTrackerConfig();
  @ValidateNested() @Type(() => FogCropConfig) crops: FogCropConfig = new FogCropConfig();
  @ValidateNested() @Type(() => FogCadenceConfig) cadence: FogCadenceConfig = new FogCadenceConfig();
  @ValidateNested() @Type(() => FogFaceConfig) faces: FogFaceConfig = new FogFaceConfig();
  @ValidateNested() @Type(() => FogSuspiciousConfig) suspicious: FogSuspiciousConfig = new FogSuspiciousConfig();
  /** Lease timing of fog replicas (used when links.roofToFog.perCamera is on). */
  @ValidateNested() @Type(() => FogReplicasConfig) replicas: FogReplicasConfig = new FogReplicasConfig();
}
