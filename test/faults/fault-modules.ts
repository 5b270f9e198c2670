import { Controller, Get, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AlertKinds, AlertMessage, FaceCropMessage, FrameMessage, IdentityMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import { LinkEmitter } from '@sentinel/transport';
import { fakeJpeg } from '../support/stub-modules';

/**
 * Stand-in tiers for the fault tests, each reporting what it did over HTTP (`/fault/<tier>`): a roof
 * that sends frames at a camera's pace and drops when the fog is behind (as a live camera does), a fog
 * that turns each frame into one face crop, a cloud that turns each crop into an identity and an alert
 * with a fresh random id (as the real cloud does), and a notification end that counts what it got.
 * Knobs (env): FAULT_FRAMES, FAULT_FPS, FAULT_FRAME_BYTES (roof); FAULT_FOG_DELAY_MS (fog: a slow fog);
 * FAULT_CLOUD_DELAY_MS (cloud: time between a crop's identity and its alert), FAULT_CLOUD_DIE_AT (cloud:
 * SIGKILL itself after the identity of its Nth crop); FAULT_CAMERA_PREFIX (roof: camera ids unique across
 * sites); FAULT_LOCAL_ALERT_EVERY (fog: every Nth frame also raises a local alert on the notification link).
 */

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cameraOf = (seq: number): string => `${process.env.FAULT_CAMERA_PREFIX ?? ''}${seq % 2 === 0 ? 'cam-a' : 'cam-b'}`;

@Injectable()
class PacedRoof implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly delivered: string[] = [];
  readonly outcomes = { emitted: 0, delivered: 0, dropped: 0, failed: 0 };
  private timer?: NodeJS.Timeout;
  private settled = 0;

  constructor(private readonly links: LinkEmitter) {}

  get done(): boolean {
    return this.settled === env('FAULT_FRAMES', 0);
  }

  onApplicationBootstrap(): void {
    const frames = env('FAULT_FRAMES', 0);
    const bytes = env('FAULT_FRAME_BYTES', 10_000);
    // A few distinct frame bodies, made once: at 100 fps x 300 KB, making each would cost the roof more than sending it.
    const bodies = Array.from({ length: 8 }, (_, i) => fakeJpeg(i + 1, bytes));
    let seq = 0;
    this.timer = setInterval(() => {
      if (seq >= frames) return clearInterval(this.timer);
      const frame: FrameMessage = Object.assign(new FrameMessage(), {
        v: SCHEMA_VERSION, cameraId: cameraOf(seq), seq, capturedAt: Date.now(), width: 768, height: 576, changeScore: 0.3, kind: 'frame', jpeg: bodies[seq % bodies.length],
      });
      const subject = `${frame.cameraId}/${seq}`;
      this.outcomes.emitted += 1;
      seq += 1;
      void this.links.emit(Patterns.FrameChanged, frame, { whenFull: 'drop' }).then((outcome) => {
        this.outcomes[outcome] += 1;
        if (outcome === 'delivered') this.delivered.push(subject);
        this.settled += 1;
      });
    }, 1000 / env('FAULT_FPS', 50));
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}

@Controller('fault')
class PacedRoofController {
  constructor(private readonly roof: PacedRoof) {}

  @Get('roof')
  state() {
    return { ...this.roof.outcomes, done: this.roof.done, delivered: this.roof.delivered };
  }
}

@Module({ providers: [PacedRoof], controllers: [PacedRoofController] })
export class PacedRoofModule {}

@Controller()
class CroppingFogController {
  private readonly counts = { frames: 0, cropsDelivered: 0, cropsNotDelivered: 0, localAlerts: [] as string[] };
  /** The slow fog works on one frame at a time, as the real one runs its model. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly links: LinkEmitter) {}

  @MessagePattern(Patterns.FrameChanged)
  async onFrame(@Payload() frame: FrameMessage): Promise<{ seq: number }> {
    this.counts.frames += 1;
    const delay = env('FAULT_FOG_DELAY_MS', 0);
    if (delay > 0) {
      const turn = this.busy.then(() => sleep(delay));
      this.busy = turn;
      await turn;
    }
    const crop: FaceCropMessage = Object.assign(new FaceCropMessage(), {
      v: SCHEMA_VERSION, cameraId: frame.cameraId, capturedAt: frame.capturedAt, seq: frame.seq, trackId: frame.seq,
      kind: 'face', jpeg: Buffer.from(frame.jpeg.subarray(0, 2048)), personBox: { x: 1, y: 2, width: 30, height: 60 }, personScore: 0.9,
    });
    const outcome = await this.links.emit(Patterns.FaceCrop, crop);
    if (outcome !== 'delivered') {
      this.counts.cropsNotDelivered += 1;
      throw new Error(`face crop not delivered: ${outcome}`);
    }
    this.counts.cropsDelivered += 1;
    const every = env('FAULT_LOCAL_ALERT_EVERY', 0);
    if (every > 0 && frame.seq % every === 0) {
      // A local alert (an object left in view): raised by the fog itself, on the notification link.
      const subject = `local:${frame.cameraId}/${frame.seq}`;
      const alert = Object.assign(new AlertMessage(), {
        v: SCHEMA_VERSION, cameraId: frame.cameraId, capturedAt: frame.capturedAt, id: `local-${frame.cameraId}-${frame.seq}`, kind: AlertKinds.SuspiciousObject, at: Date.now(), subject,
      });
      const outcome = await this.links.emit(Patterns.Alert, alert);
      if (outcome !== 'delivered') throw new Error(`local alert not delivered: ${outcome}`);
      this.counts.localAlerts.push(subject);
    }
    return { seq: frame.seq };
  }

  @Get('fault/fog')
  state() {
    return this.counts;
  }
}

@Module({ controllers: [CroppingFogController] })
export class CroppingFogModule {}

@Controller()
class RecognisingCloudController {
  private crops = 0;

  constructor(private readonly links: LinkEmitter) {}

  @MessagePattern(Patterns.FaceCrop)
  async onCrop(@Payload() crop: FaceCropMessage): Promise<void> {
    const ordinal = ++this.crops;
    const subject = `${crop.cameraId}/${crop.seq}`;
    const base = { v: SCHEMA_VERSION, cameraId: crop.cameraId, capturedAt: crop.capturedAt, trackId: crop.trackId };
    const identity = Object.assign(new IdentityMessage(), { ...base, known: false, identityId: `unknown-${subject}`, similarity: 0.1 });
    const alert = Object.assign(new AlertMessage(), { ...base, id: `alert-${crypto.randomUUID()}`, kind: AlertKinds.Intruder, at: Date.now(), subject });
    for (const [pattern, message] of [[Patterns.Identity, identity], [Patterns.Alert, alert]] as const) {
      const outcome = await this.links.emit(pattern, message);
      if (outcome !== 'delivered') throw new Error(`${pattern} not delivered: ${outcome}`);
      if (pattern !== Patterns.Identity) continue;
      // The worst moment to die: the identity is out, the alert not yet, the crop not acknowledged.
      if (ordinal === env('FAULT_CLOUD_DIE_AT', 0)) process.kill(process.pid, 'SIGKILL');
      // Recognition takes time between the two emits: a kill then leaves crops half handled.
      if (env('FAULT_CLOUD_DELAY_MS', 0) > 0) await sleep(env('FAULT_CLOUD_DELAY_MS', 0));
    }
  }

  @Get('fault/cloud')
  state() {
    return { crops: this.crops };
  }
}

@Module({ controllers: [RecognisingCloudController] })
export class RecognisingCloudModule {}

@Controller()
class CountingNotificationController {
  private readonly alerts = new Map<string, number>();
  private readonly identities = new Map<string, number>();
  /** The site each alert said it came from (by subject). */
  private readonly sites = new Map<string, string>();

  @MessagePattern(Patterns.Alert)
  onAlert(@Payload() alert: AlertMessage): void {
    this.alerts.set(alert.subject!, (this.alerts.get(alert.subject!) ?? 0) + 1);
    if (alert.site) this.sites.set(alert.subject!, alert.site);
  }

  @MessagePattern(Patterns.Identity)
  onIdentity(@Payload() identity: IdentityMessage): void {
    this.identities.set(identity.identityId, (this.identities.get(identity.identityId) ?? 0) + 1);
  }

  @Get('fault/notification')
  state() {
    return { alerts: Object.fromEntries(this.alerts), identities: Object.fromEntries(this.identities), sites: Object.fromEntries(this.sites) };
  }
}

@Module({ controllers: [CountingNotificationController] })
export class CountingNotificationModule {}

export const faultModules = {
  'frame-change': PacedRoofModule,
  detection: CroppingFogModule,
  'face-recognition': RecognisingCloudModule,
  notification: CountingNotificationModule,
};
