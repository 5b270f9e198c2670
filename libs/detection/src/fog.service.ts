import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { isAbsolute, join } from 'node:path';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { FrameMessage } from '@sentinel/contracts';
import { HealthRegistry, MetricsService, StageTimer } from '@sentinel/telemetry';
import { LinkEmitter } from '@sentinel/transport';
import { FACE_FINDER, FaceFinder } from './faces/face-finder';
import { OBJECT_DETECTOR, ObjectDetector } from './model/object-detector';
import { DetectionLog } from './pipeline/detection-log';
import { FogPipeline, FrameOutcome, LatestFrame } from './pipeline/fog-pipeline';
import { FogStats, FogStatsSnapshot } from './pipeline/fog-stats';
import type { PackerFigures } from './pipeline/region-packer';
import { decoderFfmpegPath } from './video/h264-decoder';
import { VideoDecoderFigures, VideoFrameDecoder } from './video/video-frame-decoder';

/** Longest wait at shutdown for the frames and crop deliveries in flight. */
export const SHUTDOWN_DRAIN_MS = 5_000;

/** A frame that arrived while the fog was stopping: not processed (the roof counts it as not delivered). */
export class FogShuttingDownError extends Error {
  constructor(message: FrameMessage) {
    super(`${message.cameraId}#${message.seq}: the fog is shutting down`);
    this.name = 'FogShuttingDownError';
  }
}

/** Nest face of the fog pipeline: builds it from config and injected services, and owns its lifetime. */
@Injectable()
export class FogService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Fog');
  private readonly pipeline: FogPipeline;
  private readonly log?: DetectionLog;
  private readonly video: VideoFrameDecoder;
  private closing = false;

  constructor(
    @Inject(SENTINEL_CONFIG) config: SentinelConfig,
    @Inject(OBJECT_DETECTOR) private readonly detector: ObjectDetector,
    @Inject(FACE_FINDER) private readonly faces: FaceFinder,
    links: LinkEmitter,
    metrics: MetricsService,
    stages: StageTimer,
    private readonly health: HealthRegistry,
  ) {
    const fog = config.fog;
    if (fog.detectionLogPath) {
      this.log = new DetectionLog(isAbsolute(fog.detectionLogPath) ? fog.detectionLogPath : join(config.dataDir, fog.detectionLogPath));
    }
    const stats = new FogStats(metrics, { queueSize: fog.queueSize, queueFullDownAfterMs: fog.queueFullDownAfterMs });
    const warn = (message: string) => this.logger.warn(message);
    // roof.policy video: one persistent ffmpeg H.264 decoder per camera (the roof's ffmpeg setting, FFMPEG_PATH).
    this.video = new VideoFrameDecoder(decoderFfmpegPath(config.roof.ffmpegPath), stats, undefined, warn);
    this.pipeline = new FogPipeline({
      config: fog,
      detector,
      faces,
      links,
      stats,
      recordStage: (stage, ms) => stages.record(stage, ms),
      log: this.log,
      warn,
      decoders: { h264: this.video },
    });
  }

  async onModuleInit(): Promise<void> {
    // Load the face models now rather than stalling the first frame with a person in it.
    await this.faces.warmUp?.();
    this.logger.log(`detector: ${this.detector.description}`);
    if (this.log) this.logger.log(`detection log: ${this.log.path}`);
    // Also what /stats shows for this component: the detector and every counter.
    this.health.register('detection', () => ({
      ...this.pipeline.stats.health(Date.now(), this.pipeline.queueDepth),
      detector: this.detector.description,
      queueDepth: this.pipeline.queueDepth,
      cameraQueues: Object.fromEntries(this.pipeline.cameraQueues()),
      ...this.pipeline.stats.snapshot(),
      video: this.video.figures(),
    }));
  }

  /**
   * Takes no new frame, then waits (at most SHUTDOWN_DRAIN_MS) for the frames and crop deliveries in
   * flight. Without the first step a fog in one process with its roof never stopped: Nest destroyed
   * the fog before the roof, whose camera kept sending, so the pipeline was never idle and SIGTERM
   * hung (test/faults/shutdown). Without the bound a delivery the cloud never answers held it too.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.pipeline.idle().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SHUTDOWN_DRAIN_MS))),
    ]);
    clearTimeout(timer);
    if (!drained) this.logger.warn(`shutdown: frames or crop deliveries still in flight after ${SHUTDOWN_DRAIN_MS} ms; stopping anyway`);
    this.video.close();
    await this.log?.close();
    await this.detector.dispose();
  }

  handle(message: FrameMessage): Promise<FrameOutcome> {
    if (this.closing) return Promise.reject(new FogShuttingDownError(message));
    return this.pipeline.handle(message);
  }

  latest(cameraId: string): LatestFrame | undefined {
    return this.pipeline.latest(cameraId);
  }

  stats(): FogStatsSnapshot {
    return this.pipeline.stats.snapshot();
  }

  /** Packed detector runs (fog.regionDetection packed), undefined in the other modes. */
  packerFigures(): PackerFigures | undefined {
    return this.pipeline.packerFigures();
  }

  /** The H.264 decoders' figures (roof.policy video). */
  videoFigures(): VideoDecoderFigures {
    return this.video.figures();
  }

  /** Resolves when every frame accepted so far is finished and the detection log has reached disk. */
  async drain(): Promise<void> {
    await this.pipeline.idle();
    await this.log?.flush();
  }
}
