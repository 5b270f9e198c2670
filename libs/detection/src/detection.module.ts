import { Logger, Module } from '@nestjs/common';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { FACE_FINDER, HumanFaceFinder } from './faces/face-finder';
import { FogService } from './fog.service';
import { FrameChangedController } from './frame-changed.controller';
import { CameraStreamController } from './http/camera-stream.controller';
import { CamerasController } from './http/cameras.controller';
import { createObjectDetector } from './model/create-detector';
import { OBJECT_DETECTOR } from './model/object-detector';

/**
 * The fog tier: YOLO (or Human's fallback) detection of roof frames, tracking, suspicious-object
 * alerts and face crops to the cloud. Needs SENTINEL_CONFIG, LinkEmitter and the telemetry services
 * from the app. The detector is created and warmed up while the app boots: a bad model stops the boot.
 */
@Module({
  controllers: [FrameChangedController, CamerasController, CameraStreamController],
  providers: [
    {
      provide: OBJECT_DETECTOR,
      inject: [SENTINEL_CONFIG],
      useFactory: (config: SentinelConfig) => createObjectDetector(config.fog, (message) => new Logger('Fog').warn(message)),
    },
    {
      provide: FACE_FINDER,
      inject: [SENTINEL_CONFIG],
      useFactory: (config: SentinelConfig) => new HumanFaceFinder(config.fog.crops.minFaceScore),
    },
    FogService,
  ],
  exports: [FogService],
})
export class DetectionModule {}
