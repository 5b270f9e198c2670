import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { partialOf } from '../partial-of';

export const ForwardPolicies = ['frame', 'regions', 'video'] as const;
/**
 * `frame`: the whole changed frame as JPEG (the paper). `regions`: JPEG crops of the changed regions only.
 * `video`: the changed frames as an H.264 stream (one persistent libx264 encoder per camera).
 */
export type ForwardPolicy = (typeof ForwardPolicies)[number];

export const ChangeReferences = ['previous', 'background', 'forwarded'] as const;
/** What a frame is compared with: the previous frame, or a slowly updated background (running average). */
export type ChangeReference = (typeof ChangeReferences)[number];

export const SourceKinds = ['auto', 'file', 'stream', 'device', 'lavfi'] as const;
/** auto: `rtsp://`, `http(s)://`... are streams, `/dev/video*` devices, `lavfi:GRAPH` synthetic, anything else a file. */
export type SourceKind = (typeof SourceKinds)[number];

const CAMERA_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Camera ids label metrics and messages: two cameras must not share one. */
const UniqueCameraIds = () =>
  ValidateBy({
    name: 'uniqueCameraIds',
    validator: {
      validate: (cameras: unknown) =>
        !Array.isArray(cameras) ||
        new Set(cameras.map((c: { id?: unknown }) => c?.id)).size === cameras.length,
      defaultMessage: () => 'cameras must have unique ids',
    },
  });

/**
 * Change detection settings (defaults tuned on ../shared/data/vtest.avi). Pixel measures below marked
 * "detection px" are at the downscaled detection resolution (frame size / downscale).
 */
export class ChangeDetectionConfig {
  /** Integer downscale factor before differencing (block average): 4 turns 768x576 into 192x144. */
  @Min(1) @Max(16) @IsInt() downscale = 4;
  /** Box-blur radius at detection scale, 0 = none. */
  @Min(0) @Max(8) @IsInt() blurRadius = 0;
  /** A detection pixel changed when its grey level differs by more than this (0..255). */
  @Min(1) @Max(255) @IsInt() pixelThreshold = 12;
  /** A frame changed when at least this fraction of detection pixels (in kept blobs) changed. */
  @Min(0) @Max(1) @IsNumber() minChangedFraction = 0.0005;
  /** Blobs with fewer changed detection pixels than this are ignored (noise, leaves). */
  @Min(1) @Max(100_000) @IsInt() minBlobArea = 3;
  /** Dilation radius of the changed-pixel mask (detection px) before grouping into blobs. */
  @Min(0) @Max(16) @IsInt() dilateRadius = 1;
  /** Padding added around each region (full-frame px). */
  @Min(0) @Max(512) @IsInt() padding = 16;
  /** Regions closer than this (full-frame px) are merged into one. */
  @Min(0) @Max(512) @IsInt() mergeGap = 0;
  /**
   * Two regions are also merged when their bounding box is at most this many px² larger than both.
   * All regions of a frame share one JPEG atlas, so merging mainly helps a fog that detects on each
   * region alone (`fog.regionDetection: each`): larger merges send more unchanged pixels.
   */
  @Min(0) @Max(1_000_000) @IsInt() mergeSlack = 4_096;
  /**
   * What each frame is compared with: `forwarded`, what the roof sent of earlier frames (so the fog's
   * rebuilt frame never drifts from the camera by more than the threshold: slow changes add up until
   * they are sent); `previous`, the previous frame (the paper's consecutive-frame difference); or
   * `background`, a running average.
   */
  @IsIn(ChangeReferences as unknown as string[], { message: `reference must be one of: ${ChangeReferences.join(', ')}` })
  reference: ChangeReference = 'forwarded';
  /** Background update rate per frame (reference: background). */
  @Min(0.0001) @Max(1) @IsNumber() backgroundAlpha = 0.05;
  /** Subtract the mean grey difference before thresholding, so global light changes are not change. */
  @IsBoolean() compensateBrightness = true;
  /** More regions than this are sent as one full frame instead. */
  @Min(1) @Max(256) @IsInt() maxRegions = 32;
  /** Regions policy: when regions cover more than this fraction of the frame, the full frame is sent instead. */
  @Min(0) @Max(1) @IsNumber() fullFrameAbove = 0.6;
}

export const VideoPresets = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;
export type VideoPreset = (typeof VideoPresets)[number];

/** policy `video`: libx264 settings (always `-tune zerolatency`: no lookahead, no B-frames, one packet out per frame in). */
export class VideoConfig {
  /**
   * Constant rate factor: 0 lossless, 23 x264's default, 51 worst. 30 with the 60 s keyframe
   * interval below: roof->fog 30.9% of vtest.avi's own bytes (person AP50 0.878 against 0.864
   * every-frame) and 43.0% of the mostly still clip's (0.869 against 0.868); CRF 28 with 10 s gave
   * 45.5% and 77.3% (libs/frame-change/README.md).
   */
  @Min(0) @Max(51) @IsInt() crf = 30;
  @IsIn(VideoPresets as unknown as string[], { message: `preset must be one of: ${VideoPresets.join(', ')}` })
  preset: VideoPreset = 'veryfast';
  /**
   * A keyframe at least this often (seconds of stream time), besides the first frame and each
   * resync. Only a fallback: every packet the fog cannot decode in order is answered `resync`, and a
   * message lost on the link breaks the roof's chain itself, so either way the next frame is a
   * keyframe. On a mostly still scene each keyframe after a still stretch costs a whole intra frame:
   * 10 s gave 77.3% of the camera's own stream, 60 s 55.7% (43.0% with CRF 30).
   */
  @Min(0.1) @Max(3_600) @IsNumber() keyframeIntervalS = 60;
  /** libx264's threads per camera (slices: zerolatency keeps one packet per frame); 0 lets x264 choose (1.5 per core). */
  @Min(0) @Max(16) @IsInt() threads = 0;
  /**
   * x264 options over the preset (`key=value:key=value`, x264's own names; empty for the preset as it
   * is). The default leaves out the inter sub-partitions (p8x8, b8x8): on vtest 15% less encoder CPU
   * for 6% more bytes, which keeps the roof near half of bare decode speed (libs/frame-change/README.md).
   */
  @Matches(/^([a-z0-9_-]+=[A-Za-z0-9_.,-]+(:[a-z0-9_-]+=[A-Za-z0-9_.,-]+)*)?$/, { message: 'x264Params must be key=value pairs joined by ":" (x264 option names), or empty' })
  @IsString()
  x264Params = 'partitions=i8x8,i4x4';
}

/** Per-camera overrides of ChangeDetectionConfig: the same rules, every key optional, unset keys take roof.detection's value. */
export const ChangeDetectionOverrides = partialOf(ChangeDetectionConfig);

/**
 * The roof settings a camera may override: `roof.*` gives the defaults, `cameras[].*` a partial of
 * this same class, deep-merged over them (as Frigate merges camera config over global).
 */
export class CameraDefaults {
  /** JPEG quality of forwarded frames and regions. */
  @IsInt() @Min(1) @Max(100) jpegQuality = 80;
  /** Default forwarding policy of cameras. */
  @IsIn(ForwardPolicies as unknown as string[], { message: `policy must be one of: ${ForwardPolicies.join(', ')}` })
  policy: ForwardPolicy = 'frame';
  /** Send a full frame (heartbeat: true) when none was sent for this many seconds of video; 0 = never. */
  @Min(0) @Max(86_400) @IsNumber() heartbeatSeconds = 0;
  @ValidateNested() @Type(() => ChangeDetectionConfig) detection: ChangeDetectionConfig = new ChangeDetectionConfig();
  @ValidateNested() @Type(() => VideoConfig) video: VideoConfig = new VideoConfig();
}

/** cameras[]: validated as a partial of CameraDefaults (plus the camera's own keys). */
const CameraOverrides = partialOf(CameraDefaults, { detection: ChangeDetectionOverrides, video: partialOf(VideoConfig) });

/** Exponential backoff of reconnects (dropped streams, crashed ffmpeg). */
export class ReconnectConfig {
  @Min(10) @Max(600_000) @IsInt() initialDelayMs = 500;
  @Min(10) @Max(3_600_000) @IsInt() maxDelayMs = 30_000;
  @Min(1) @Max(10) @IsNumber() factor = 2;
  /** Give up (camera failed) after this many consecutive failed attempts; 0 = never give up. */
  @Min(0) @Max(1_000_000) @IsInt() maxAttempts = 0;
  /** A live source that delivers no frame for this long is treated as dropped (ms). */
  @Min(100) @Max(600_000) @IsInt() stallTimeoutMs = 10_000;
  /**
   * How long a live source may take from starting ffmpeg to its first frame (ms): connecting, and
   * reading enough of the stream to know its rate (~1 s for RTSP here), before it counts as stalled.
   */
  @Min(100) @Max(600_000) @IsInt() connectTimeoutMs = 30_000;
}

/** The lavfi demo camera used when no camera is configured. */
export class DemoCameraConfig {
  /** Run the demo camera when `cameras` is empty. */
  @IsBoolean() enabled = true;
  @Matches(CAMERA_ID, { message: 'id must match [A-Za-z0-9_.-]{1,64}' }) @IsString() id = 'demo';
  @Min(16) @Max(4096) @IsInt() width = 640;
  @Min(16) @Max(4096) @IsInt() height = 360;
  @Min(1) @Max(60) @IsInt() fps = 10;
  /** One cycle of the scene (objects move, stop, move again), seconds. */
  @Min(6) @Max(3600) @IsInt() cycleSeconds = 24;
}

export class CameraConfig extends CameraOverrides {
  @Matches(CAMERA_ID, { message: 'id must match [A-Za-z0-9_.-]{1,64}' }) @IsString() id!: string;
  /** A file path, a stream URL (rtsp://, http(s)://, ...), a V4L2 device (/dev/videoN) or `lavfi:GRAPH`. */
  @MinLength(1) @MaxLength(4096) @IsString() source!: string;
  @IsIn(SourceKinds as unknown as string[], { message: `kind must be one of: ${SourceKinds.join(', ')}` })
  kind: SourceKind = 'auto';
  /** Output frame rate (ffmpeg fps filter); unset = the source's own rate. */
  @IsOptional() @Min(0.1) @Max(240) @IsNumber() fps?: number;
  /** Output size; set one side to keep the aspect ratio. Unset = the source's size. */
  @IsOptional() @Min(16) @Max(8192) @IsInt() width?: number;
  @IsOptional() @Min(16) @Max(8192) @IsInt() height?: number;
  /** Files: start again at the end instead of ending. */
  @IsBoolean() loop = false;
  /** Files: read in real time like a camera (true) or as fast as possible (false: nothing dropped, the link gives backpressure). */
  @IsBoolean() pace = true;
  /** Extra ffmpeg input options, e.g. ["-rtsp_transport", "udp"]. */
  @IsOptional() @ArrayMaxSize(64) @IsString({ each: true }) @IsArray() inputOptions?: string[];
}

/** Settings of the roof (frame-change) module. Every property needs class-validator decorators (unknown keys are errors). */
export class RoofConfig extends CameraDefaults {
  /** Cameras; `{ id, source }` is enough. Empty: the demo camera runs (see `demo`). */
  @UniqueCameraIds() @ArrayMaxSize(64) @ValidateNested({ each: true }) @Type(() => CameraConfig) @IsArray() cameras: CameraConfig[] = [];
  @ValidateNested() @Type(() => ReconnectConfig) reconnect: ReconnectConfig = new ReconnectConfig();
  @ValidateNested() @Type(() => DemoCameraConfig) demo: DemoCameraConfig = new DemoCameraConfig();
  /** ffmpeg binary; unset = the one bundled by @ffmpeg-installer/ffmpeg. The app maps FFMPEG_PATH here. */
  @IsOptional() @MinLength(1) @IsString() ffmpegPath?: string;
  /**
   * JPEG-encode EVERY decoded frame only to count its bytes (sentinel_roof_raw_jpeg_bytes_total): the
   * honest "send everything" baseline for bandwidth reports. Costs a full encode per frame; off by default.
   */
  @IsBoolean() measureRawJpeg = false;
  /** Drop frames the decoder reports as damaged (ffmpeg -err_detect ...+explode) instead of forwarding concealed garbage. */
  @IsBoolean() skipCorruptFrames = true;
  /** Frames being encoded/emitted at once per camera before ffmpeg's pipe is paused. */
  @Min(1) @Max(64) @IsInt() maxInFlight = 8;
}
