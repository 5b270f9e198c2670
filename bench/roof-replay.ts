import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SentinelConfigModule, validateConfig } from '@sentinel/config';
import { type FrameMessage, Patterns, type Pattern } from '@sentinel/contracts';
import { TelemetryModule } from '@sentinel/telemetry';
import { type EmitOptions, type EmitOutcome, InprocBus, LinkEmitter, TransportModule } from '@sentinel/transport';
import { withRoof } from './roof-app';

/** What a roof sent for one source, by seq: its messages as the policy made them, and a whole frame for each seq. */
export interface RoofRecording {
  /** The policy's messages (regions atlases, whole frames), by frame seq. */
  messages: Map<number, FrameMessage>;
  /** Every frame as a whole JPEG (`kind: 'frame'`, no baseSeq): what the roof sends when the fog asks to resync. */
  whole: Map<number, FrameMessage>;
  frames: number;
}

/** Keeps each frame message the roof emits; acknowledges at once. */
class RecordingLinks extends LinkEmitter {
  readonly frames = new Map<number, FrameMessage>();

  async emit(pattern: Pattern, message: object): Promise<EmitOutcome> {
    if (pattern === Patterns.FrameChanged) this.frames.set((message as FrameMessage).seq, message as FrameMessage);
    return 'delivered';
  }
}

/** The roof's messages for one camera's first `frames` frames, read from `source` as fast as it goes (not paced). */
async function recordPolicy(source: string, roof: Record<string, unknown>, frames: number): Promise<Map<number, FrameMessage>> {
  const links = new RecordingLinks();
  await withRoof({ ...roof, demo: { enabled: false }, cameras: [{ id: 'recorded', source, pace: false }] }, links, (service) => service.whenFilesDone());
  return new Map([...links.frames].filter(([seq]) => seq < frames));
}

/**
 * Records a real roof (the product's FrameChangeModule) on `source`: once with `policy`, and once
 * with every frame sent whole (policy `frame` with a heartbeat due on every frame) for resyncs.
 */
export async function recordRoof(source: string, policy: string, frames: number): Promise<RoofRecording> {
  const messages = await recordPolicy(source, { policy }, frames);
  const whole = await recordPolicy(source, { policy: 'frame', heartbeatSeconds: 0.01 }, frames);
  return { messages, whole, frames };
}

export interface ReplayCounts {
  /** Frames of the camera's stream whose time came during the replay. */
  frames: number;
  sent: number;
  /** Not sent: `maxInFlight` messages were still unacknowledged (the roof's `droppedBusy`). */
  busy: number;
  /** Sent but dropped or failed on the link (the fog's queue pushed it out, or no answer). */
  failed: number;
  /** Delivered, but answered `resync` (the fog's copy was out of step, the frame was not used). */
  resynced: number;
  wholeForResync: number;
}

/**
 * Plays recorded roofs into a fog over the product's own link producer (the roofToFog link of
 * `links`), each camera paced at `fps` from the same start, every message stamped with the time it is
 * sent as its capture time. It behaves as the live roof does at the link: at most `maxInFlight`
 * messages in flight per camera (a frame beyond is skipped), and after a skipped, lost or `resync`
 * message the next one is that frame whole. The roofs' decoding and change detection are not on this
 * machine's cores during the replay: that is the point (a fog box does not run its cameras' roofs).
 */
export class RoofReplay {
  readonly counts = new Map<string, ReplayCounts>();

  constructor(
    /** One recording per camera (cameras may share one). */
    private readonly cameras: ReadonlyArray<{ id: string; recording: RoofRecording }>,
    private readonly fps: number,
    private readonly maxInFlight = 8,
  ) {}

  /** Replays for `seconds` (or until the recordings end); resolves once every message sent has settled. */
  async run(links: Record<string, unknown>, seconds: number): Promise<{ startedAt: number }> {
    const config = validateConfig({ tier: 'roof', links, roof: { demo: { enabled: false } } });
    @Module({ imports: [SentinelConfigModule.forRoot(config), TelemetryModule, TransportModule.forRoot(new InprocBus())] })
    class ReplayModule {}
    const app = await NestFactory.createApplicationContext(ReplayModule, { logger: ['error', 'warn'] });
    try {
      const emitter = app.get(LinkEmitter);
      const startedAt = Date.now();
      const until = startedAt + seconds * 1000;
      await Promise.all(this.cameras.map(({ id, recording }) => this.playCamera(emitter, id, recording, startedAt, until)));
      return { startedAt };
    } finally {
      await app.close();
    }
  }

  private async playCamera(emitter: LinkEmitter, cameraId: string, recording: RoofRecording, startedAt: number, until: number): Promise<void> {
    const counts: ReplayCounts = { frames: 0, sent: 0, busy: 0, failed: 0, resynced: 0, wholeForResync: 0 };
    this.counts.set(cameraId, counts);
    const pending = new Set<Promise<void>>();
    let resyncDue = false;
    const interval = 1000 / this.fps;
    for (let seq = 0; seq < recording.frames; seq++) {
      const due = startedAt + seq * interval;
      if (due >= until) break;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      counts.frames++;
      const recorded = recording.messages.get(seq);
      if (!recorded) continue;
      if (pending.size >= this.maxInFlight) {
        counts.busy++;
        resyncDue = true;
        continue;
      }
      const whole = resyncDue ? recording.whole.get(seq) : undefined;
      if (whole) counts.wholeForResync++;
      resyncDue = false;
      const message = Object.assign(Object.create(Object.getPrototypeOf(recorded) as object) as FrameMessage, whole ? { ...whole, heartbeat: true } : recorded, { cameraId, capturedAt: Date.now() });
      const options: EmitOptions = {
        whenFull: 'drop',
        onReply: (reply) => {
          if ((reply as { resync?: unknown } | undefined)?.resync === true) {
            counts.resynced++;
            resyncDue = true;
          }
        },
      };
      counts.sent++;
      const settled: Promise<void> = emitter.emit(Patterns.FrameChanged, message, options).then((outcome) => {
        if (outcome !== 'delivered') {
          counts.failed++;
          resyncDue = true;
        }
        pending.delete(settled);
      });
      pending.add(settled);
    }
    await Promise.all(pending);
  }
}
