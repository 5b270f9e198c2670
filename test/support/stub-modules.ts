import { createHash } from 'node:crypto';
import { Controller, Get, Inject, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AlertKinds, AlertMessage, FaceCropMessage, FrameMessage, IdentityMessage, Patterns, SCHEMA_VERSION,
} from '@sentinel/contracts';
import { LinkEmitter, LinkLedger } from '@sentinel/transport';

/**
 * Stand-ins for the product modules, for the foundation's end-to-end tests: each tier derives its
 * output deterministically from its input, so the test can predict every message at the end of the
 * chain and check that nothing was lost or altered on any transport.
 */

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic pseudo-random bytes (xorshift), standing in for JPEG data. */
export function fakeJpeg(seed: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

export function stubFrame(cameraId: string, seq: number, frameBytes: number): FrameMessage {
  const regions = seq % 2 === 1;
  return Object.assign(new FrameMessage(), {
    v: SCHEMA_VERSION, cameraId, seq, capturedAt: Date.now(), width: 768, height: 576,
    changeScore: 0.25, kind: regions ? 'regions' : 'frame',
    ...(regions
      ? {
          jpeg: fakeJpeg(seq, frameBytes / 2),
          regions: [{ x: 16, y: 32, width: 100, height: 80, atlasX: 0, atlasY: 0 }, { x: 400, y: 200, width: 64, height: 64, atlasX: 112, atlasY: 0 }],
        }
      : { jpeg: fakeJpeg(seq, frameBytes) }),
  });
}

/** What the fog stub sends on for a frame: a crop made of the frame's first bytes. */
export function cropBytesOfFrame(frame: FrameMessage): Buffer {
  return Buffer.from(frame.jpeg.subarray(0, 8 * 1024));
}

/** The digest the notification stub records for every alert: traceable back to the frame. */
export function expectedAlertDigest(frame: FrameMessage): string {
  return `${frame.cameraId}/${frame.seq}/${sha256(cropBytesOfFrame(frame))}`;
}

@Injectable()
class StubRoof implements OnApplicationBootstrap {
  constructor(private readonly links: LinkEmitter) {}

  onApplicationBootstrap(): void {
    const count = Number(process.env.STUB_FRAMES ?? 0);
    if (count > 0) void this.send(count, Number(process.env.STUB_FRAME_BYTES ?? 50_000));
  }

  async send(count: number, frameBytes: number): Promise<void> {
    for (let seq = 0; seq < count; seq += 1) {
      await this.links.emit(Patterns.FrameChanged, stubFrame(seq % 3 === 2 ? 'cam-b' : 'cam-a', seq, frameBytes), { whenFull: 'wait' });
    }
  }
}

@Controller('stub/roof')
class StubRoofController {
  constructor(private readonly roof: StubRoof) {}
}

@Module({ providers: [StubRoof], controllers: [StubRoofController], exports: [StubRoof] })
export class StubRoofModule {}

@Controller()
class StubFogController {
  constructor(private readonly links: LinkEmitter) {}

  @MessagePattern(Patterns.FrameChanged)
  async onFrame(@Payload() frame: FrameMessage): Promise<void> {
    if (!(frame instanceof FrameMessage)) throw new Error('expected a validated FrameMessage instance');
    const crop: FaceCropMessage = Object.assign(new FaceCropMessage(), {
      v: SCHEMA_VERSION, cameraId: frame.cameraId, capturedAt: frame.capturedAt, seq: frame.seq, trackId: frame.seq,
      kind: 'face', jpeg: cropBytesOfFrame(frame), personBox: { x: 1, y: 2, width: 30, height: 60 }, personScore: 0.9,
    });
    const outcome = await this.links.emit(Patterns.FaceCrop, crop, { whenFull: 'wait' });
    if (outcome !== 'delivered') throw new Error(`face crop not delivered: ${outcome}`);
  }
}

@Module({ controllers: [StubFogController] })
export class StubFogModule {}

@Controller()
class StubCloudController {
  constructor(private readonly links: LinkEmitter) {}

  @MessagePattern(Patterns.FaceCrop)
  async onCrop(@Payload() crop: FaceCropMessage): Promise<void> {
    const base = { v: SCHEMA_VERSION, cameraId: crop.cameraId, capturedAt: crop.capturedAt, trackId: crop.trackId };
    const identity: IdentityMessage = Object.assign(new IdentityMessage(), { ...base, known: false, identityId: `unknown-${crop.seq}`, similarity: 0.1 });
    const alert: AlertMessage = Object.assign(new AlertMessage(), {
      ...base, id: `alert-${crop.cameraId}-${crop.seq}`, kind: AlertKinds.Intruder, at: Date.now(),
      subject: `${crop.cameraId}/${crop.seq}/${sha256(crop.jpeg)}`, snapshot: crop.jpeg,
    });
    await this.links.emit(Patterns.Identity, identity, { whenFull: 'wait' });
    await this.links.emit(Patterns.Alert, alert, { whenFull: 'wait' });
  }
}

@Module({ controllers: [StubCloudController] })
export class StubCloudModule {}

@Injectable()
export class StubInbox {
  readonly alerts: string[] = [];
  readonly identities: string[] = [];
}

@Controller()
class StubNotificationController {
  constructor(@Inject(StubInbox) private readonly inbox: StubInbox, private readonly ledger: LinkLedger) {}

  @MessagePattern(Patterns.Alert)
  onAlert(@Payload() alert: AlertMessage): void {
    if (sha256(alert.snapshot!) !== alert.subject!.split('/')[2]) throw new Error('snapshot altered in transit');
    this.inbox.alerts.push(alert.subject!);
  }

  @MessagePattern(Patterns.Identity)
  onIdentity(@Payload() identity: IdentityMessage): void {
    this.inbox.identities.push(`${identity.cameraId}/${identity.identityId}`);
  }

  @Get('stub/state')
  state() {
    return { alerts: this.inbox.alerts, identities: this.inbox.identities, ledger: this.ledger.snapshot() };
  }
}

@Module({ providers: [StubInbox], controllers: [StubNotificationController], exports: [StubInbox] })
export class StubNotificationModule {}

/** The stub registry: same placement rules as the product, stand-in modules. */
export const stubModules = {
  'frame-change': StubRoofModule,
  detection: StubFogModule,
  'face-recognition': StubCloudModule,
  notification: StubNotificationModule,
};
