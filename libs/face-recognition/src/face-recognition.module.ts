import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { SENTINEL_CONFIG, SentinelConfig } from '@sentinel/config';
import { FaceEmbedder } from './embedder.service';
import { EnrollmentService } from './enrollment.service';
import { FaceCropController } from './face-crop.controller';
import { FaceRecognitionService } from './face-recognition.service';
import { GalleryService } from './gallery.service';
import { PeopleController } from './http/people.controller';
import { RecognitionController } from './http/recognition.controller';
import { SightingsController } from './http/sightings.controller';
import { UnknownsController } from './http/unknowns.controller';

/**
 * Cloud tier: face crops in (`face.crop`), identities and intruder alerts out; gallery REST API.
 * Needs SENTINEL_CONFIG, LinkEmitter and the telemetry providers from the app.
 */
@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [SENTINEL_CONFIG],
      // Memory storage: uploads are small images decoded right away, never written to disk.
      useFactory: (config: SentinelConfig) => ({
        limits: { fileSize: config.cloud.maxUploadBytes, files: config.cloud.maxImagesPerRequest, fields: 10, parts: config.cloud.maxImagesPerRequest + 10 },
      }),
    }),
  ],
  controllers: [FaceCropController, PeopleController, RecognitionController, UnknownsController, SightingsController],
  providers: [FaceEmbedder, GalleryService, FaceRecognitionService, EnrollmentService],
  exports: [FaceRecognitionService, GalleryService, FaceEmbedder],
})
export class FaceRecognitionModule {}
