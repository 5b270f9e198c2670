import { DetectionModule } from '@sentinel/detection';
import { FaceRecognitionModule } from '@sentinel/face-recognition';
import { FrameChangeModule } from '@sentinel/frame-change';
import { NotificationModule } from '@sentinel/notification';
import type { ModuleRegistry } from './app.module';

/** The product modules, by the names config places on tiers. */
export const productModules: ModuleRegistry = {
  'frame-change': FrameChangeModule,
  detection: DetectionModule,
  'face-recognition': FaceRecognitionModule,
  notification: NotificationModule,
};
