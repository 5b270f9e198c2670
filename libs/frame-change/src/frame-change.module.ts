import { Module } from '@nestjs/common';
import { FrameChangeService } from './frame-change.service';

/**
 * The roof tier: video ingest with ffmpeg and frame change detection. Needs SENTINEL_CONFIG,
 * LinkEmitter and the telemetry providers from the application.
 */
@Module({
  providers: [FrameChangeService],
  exports: [FrameChangeService],
})
export class FrameChangeModule {}
