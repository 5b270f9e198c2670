import { Controller, Get, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FaceCropMessage, FrameMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { FrameChangeModule } from '@sentinel/frame-change';
import { LinkEmitter } from '@sentinel/transport';
import { CountingNotificationModule, RecognisingCloudModule } from './fault-modules';

/**
 * Stand-in fog of the replica and site tests, behind the real roof (frame-change: lavfi cameras,
 * policy regions): it keeps each camera's chain as the real fog's frame canvas does (a whole frame
 * starts it, regions must update the frame it holds) and answers `resync: true` like the real
 * FrameAck when it cannot, so a fog that takes a camera over asks the roof for a whole frame. Each
 * frame in step gives one durable face crop of the camera's current track; a track starts on the
 * first frame in step and ends when the chain breaks (tracks restart on a new owner).
 */

/** One camera as the stand-in fog keeps it (and `/fault/fog` reports it). */
export interface CameraState {
  lastSeq?: number;
  track?: number;
  frames: number;
  /** Whole frames among them (the rest: regions of the frame before). */
  whole: number;
  crops: number;
  resyncs: number;
  tracks: number;
  /** Wall-clock times (ms) of the frames handled and of the crops delivered (the latest 5000). */
  handledAt: number[];
  cropAt: number[];
}

const remember = (times: number[], at: number) => {
  times.push(at);
  if (times.length > 5000) times.shift();
};

@Controller()
class CanvasFogController {
  private readonly cameras = new Map<string, CameraState>();
  private tracks = 0;

  constructor(private readonly links: LinkEmitter) {}

  @MessagePattern(Patterns.FrameChanged)
  async onFrame(@Payload() frame: FrameMessage): Promise<{ seq: number; detections: number; crops: number; resync?: true }> {
    const now = Date.now();
    let camera = this.cameras.get(frame.cameraId);
    if (!camera) {
      camera = { frames: 0, whole: 0, crops: 0, resyncs: 0, tracks: 0, handledAt: [], cropAt: [] };
      this.cameras.set(frame.cameraId, camera);
    }
    camera.frames += 1;
    if (frame.kind === 'frame') camera.whole += 1;
    remember(camera.handledAt, now);
    const inStep = frame.kind === 'frame' || (camera.lastSeq !== undefined && frame.baseSeq === camera.lastSeq);
    if (!inStep) {
      camera.lastSeq = undefined;
      camera.track = undefined;
      camera.resyncs += 1;
      return { seq: frame.seq, detections: 0, crops: 0, resync: true };
    }
    camera.lastSeq = frame.seq;
    if (camera.track === undefined) {
      camera.track = ++this.tracks;
      camera.tracks += 1;
    }
    const crop: FaceCropMessage = Object.assign(new FaceCropMessage(), {
      v: SCHEMA_VERSION, cameraId: frame.cameraId, capturedAt: frame.capturedAt, seq: frame.seq, trackId: camera.track,
      kind: 'face', jpeg: Buffer.from(frame.jpeg.subarray(0, 1024)), personBox: { x: 1, y: 2, width: 30, height: 60 }, personScore: 0.9,
    });
    const outcome = await this.links.emit(Patterns.FaceCrop, crop);
    if (outcome !== 'delivered') throw new Error(`face crop not delivered: ${outcome}`);
    camera.crops += 1;
    remember(camera.cropAt, Date.now());
    return { seq: frame.seq, detections: 1, crops: 1 };
  }

  @Get('fault/fog')
  state() {
    return { cameras: Object.fromEntries(this.cameras) };
  }
}

@Module({ controllers: [CanvasFogController] })
export class CanvasFogModule {}

export const replicaModules = {
  'frame-change': FrameChangeModule,
  detection: CanvasFogModule,
  'face-recognition': RecognisingCloudModule,
  notification: CountingNotificationModule,
};
