import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { HealthRegistry, MetricsService, StageTimer } from '@sentinel/telemetry';
import { LinkEmitter } from '@sentinel/transport';
import { CameraRunner, CameraStats } from './camera/camera-runner';
import { camerasToRun, resolveCameraSettings } from './camera/camera-settings';
import { RoofMetrics } from './camera/roof-metrics';
import { resolveFfmpegPath } from './ffmpeg/ffmpeg-path';

/**
 * The roof: one CameraRunner per configured camera (or the demo camera), started when the
 * application has bootstrapped and stopped (ffmpeg killed, pending emits awaited) on shutdown.
 */
@Injectable()
export class FrameChangeService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('FrameChange');
  private readonly cameras: CameraRunner[];

  constructor(
    @Inject(SENTINEL_CONFIG) config: SentinelConfig,
    links: LinkEmitter,
    metrics: MetricsService,
    timer: StageTimer,
    private readonly health: HealthRegistry,
  ) {
    const roof = config.roof;
    const roofMetrics = new RoofMetrics(metrics);
    const deps = {
      links,
      metrics: roofMetrics,
      timer,
      logger: this.logger,
      ffmpegPath: resolveFfmpegPath(roof.ffmpegPath),
      reconnect: roof.reconnect,
      measureRawJpeg: roof.measureRawJpeg,
      maxInFlight: roof.maxInFlight,
      skipCorrupt: roof.skipCorruptFrames,
    };
    this.cameras = camerasToRun(roof).map((camera) => new CameraRunner(resolveCameraSettings(camera, roof), deps));
  }

  onApplicationBootstrap(): void {
    for (const camera of this.cameras) {
      this.health.register(`roof.camera.${camera.id}`, () => {
        const stats = camera.snapshot();
        const up = stats.state !== 'failed' && stats.state !== 'reconnecting';
        return up ? { ...stats, status: 'up' } : { ...stats, status: 'down', reason: `camera ${stats.state}${stats.lastError ? `: ${stats.lastError}` : ''}` };
      });
      this.logger.log(`camera ${camera.id}: ${camera.settings.kind} source, policy ${camera.settings.policy}`);
      void camera.start();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.cameras.map((camera) => camera.stop()));
  }

  /** Per-camera figures keyed by camera id. */
  stats(): Record<string, CameraStats> {
    return Object.fromEntries(this.cameras.map((camera) => [camera.id, camera.snapshot()]));
  }

  /** The runner of one camera (tests use it, e.g. to find its ffmpeg process). */
  camera(id: string): CameraRunner | undefined {
    return this.cameras.find((camera) => camera.id === id);
  }

  /**
   * Resolves when every camera reading a file or lavfi graph without looping has ended (or failed)
   * and all of its emits have settled. Live and looping cameras are not waited for.
   */
  whenFilesDone(): Promise<void> {
    const finite = this.cameras.filter((camera) => !camera.settings.live && !camera.settings.loop);
    return Promise.all(finite.map((camera) => camera.done)).then(() => undefined);
  }
}
