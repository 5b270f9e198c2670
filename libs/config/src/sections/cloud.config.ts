import { IsString } from 'class-validator';

/** Settings of the cloud (face-recognition) module. Every property needs class-validator decorators (unknown keys are errors). */
export class CloudConfig {
  /** SQLite file of the gallery, relative to dataDir unless absolute. */
  @IsString() galleryPath = 'gallery.sqlite';
}
