import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import { AlertKinds, AlertMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import type { ReconnectConfig } from '@sentinel/config';
import { type StageTimer, stopSignalReceived } from '@sentinel/telemetry';
import type { LinkEmitter } from '@sentinel/transport';
import type { RawFrame } from '../ffmpeg/frame-reader';
import type { OutputFormat } from '../ffmpeg/source';
import type { ForwardDecision } from '../pipeline/forward-plan';
import { CameraSource } from '../stages/camera-source';
import { CameraStats, CameraTally } from '../stages/camera-tally';
import { ChangeStage } from '../stages/change-stage';
import { ForwardChain } from '../stages/forward-chain';
import { FrameEncoder, JpegFrameEncoder, Payload } from '../stages/frame-encoder';
import { FrameFacts, OrderedEmitter, frameMessage } from '../stages/frame-emitter';
import { FramePlanner } from '../stages/frame-planner';
import { VideoFrameEncoder } from '../video/video-frame-encoder';
import { CameraSettings, redactSource } from './camera-settings';
import type { CameraState, RoofMetrics } from './roof-metrics';

export type { CameraStats } from '../stages/camera-tally';

export interface CameraDeps {
  links: LinkEmitter;
  metrics: RoofMetrics;
  timer: StageTimer;
  logger: Logger;
  ffmpegPath: string;
  reconnect: ReconnectConfig;
  measureRawJpeg: boolean;
  maxInFlight: number;
  skipCorrupt: boolean;
}

/**
 * One camera, as a straight line of stages: read (ffmpeg, kept alive) -> detect change -> plan
 * (policy, heartbeat, resync) -> encode -> emit in stream order. The chain (seq, baseSeq, resync,
 * the detector's forwarded reference) is kept by one ForwardChain, every figure by one CameraTally.
 * Up to `maxInFlight` frames are encoded or awaiting the link at once, then the pipe is paused
 * (files) or new frames skipped (live sources, counted as droppedBusy).
 */
export class CameraRunner {
  private readonly tally: CameraTally;
  private readonly source: CameraSource;
  private readonly change: ChangeStage;
  private readonly chain: ForwardChain;
  private readonly planner: FramePlanner;
  private readonly encoder: FrameEncoder;
  private readonly emitter: OrderedEmitter;
  private readonly pending = new Set<Promise<unknown>>();
  private fps = Number.NaN;
  private outage = false;
  private stopping = false;
  private resolveDone!: () => void;
  /** Resolves when the camera reached ended, failed or stopped and all its emits settled. */
  readonly done: Promise<void>;

  constructor(
    readonly settings: CameraSettings,
    private readonly deps: CameraDeps,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const source = redactSource(settings.source);
    this.tally = new CameraTally({ id: settings.id, source, kind: settings.kind, policy: settings.policy }, deps.metrics, deps.timer);
    this.source = new CameraSource(settings, deps, {
      format: (format) => this.onFormat(format),
      frame: (frame) => this.onFrame(frame),
      corrupt: (count) => this.tally.corrupt(count),
      reconnecting: (reason, delay, attempt) => this.onReconnecting(reason, delay, attempt),
      failed: (reason) => this.fail(reason),
      ended: () => this.finish('ended'),
    });
    this.change = new ChangeStage(settings.detection);
    this.chain = new ForwardChain(this.change);
    this.planner = new FramePlanner(settings.policy, settings.heartbeatSeconds, settings.detection);
    const onRawJpeg = deps.measureRawJpeg ? (bytes: number) => this.tally.rawJpeg(bytes) : undefined;
    this.encoder = settings.policy === 'video' ? new VideoFrameEncoder(deps.ffmpegPath, settings.video, onRawJpeg) : new JpegFrameEncoder(settings.jpegQuality, onRawJpeg);
    this.emitter = new OrderedEmitter(deps.links, deps.maxInFlight, settings.whenFull);
  }

  get id(): string {
    return this.settings.id;
  }

  get state(): CameraState {
    return this.tally.state;
  }

  /** ffmpeg's process id while a reader runs (tests kill it to simulate a crash). */
  get ffmpegPid(): number | undefined {
    return this.source.pid;
  }

  snapshot(): CameraStats {
    return this.tally.snapshot();
  }

  start(): Promise<void> {
    return this.source.start();
  }

  /** Kills ffmpeg and waits (bounded) for frames already being encoded or emitted. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    await this.source.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await this.encoder.close();
    if (!isTerminal(this.tally.state)) this.tally.setState('stopped');
    this.resolveDone();
  }

  private onFormat(format: OutputFormat): void {
    this.fps = this.settings.fps ?? format.fps;
    this.tally.format(format.width, format.height, this.fps);
    this.change.resize(format.width, format.height);
    this.encoder.format?.(format.width, format.height, this.fps, format.pixelFormat);
  }

  private onFrame(frame: RawFrame): void {
    if (this.stopping || !this.change.ready) return this.source.release(frame);
    this.markRunning();
    const seq = this.chain.next();
    this.tally.decoded(frame.transferMs);

    const detectStart = performance.now();
    const change = this.change.detect(frame.data, frame.pixelFormat);
    this.tally.changeDetected(change.changed, performance.now() - detectStart);

    const streamSeconds = this.hasTimeline ? seq / this.fps : frame.receivedAt / 1000;
    const decision = this.planner.plan({ change, streamSeconds, width: frame.width, height: frame.height, resyncDue: this.chain.resyncDue });
    // A live source skips what it cannot encode now rather than fall behind the camera.
    if (decision.send !== 'none' && this.settings.live && this.emitter.full) {
      this.chain.skipped();
      this.tally.busyDropped();
      return this.source.release(frame);
    }
    if (decision.send === 'none') {
      this.chain.skipped();
      if (!this.deps.measureRawJpeg) return this.source.release(frame);
    } else if (decision.send === 'frame') {
      this.planner.wholeFrameSent(streamSeconds);
    }
    const link = decision.send === 'none' ? { seq } : this.chain.issue(seq, decision, this.encoder.startsChain(decision, this.chain.resyncDue, streamSeconds));

    const facts: FrameFacts = {
      cameraId: this.id,
      capturedAt: frame.receivedAt,
      width: frame.width,
      height: frame.height,
      changeScore: change.score,
      ...(this.hasTimeline && !this.settings.live ? { streamTimeMs: Math.round(streamSeconds * 1000) } : {}),
    };
    const sent = this.emitter.send(
      this.encode(frame, decision),
      (payload) => frameMessage(facts, link, payload),
      (reply) => this.chain.replied(seq, reply),
    );
    if (!this.settings.live && this.emitter.full) this.source.pause();
    this.track(
      sent
        .then((result) => {
          if (!result) {
            if (decision.send !== 'none') this.chain.lost(seq);
            return;
          }
          if (result.outcome !== 'delivered') this.chain.lost(seq);
          this.tally.emitted(result.outcome, result.payload);
        })
        .finally(() => {
          if (!this.emitter.full && !this.stopping) this.source.resume();
        }),
    );
  }

  private get hasTimeline(): boolean {
    return Number.isFinite(this.fps) && this.fps > 0;
  }

  /** The encode stage, its time and errors counted; the frame's buffer goes back to the pool after. */
  private async encode(frame: RawFrame, decision: ForwardDecision): Promise<Payload | undefined> {
    const start = performance.now();
    try {
      const payload = await this.encoder.encode(frame, decision);
      this.tally.encoded(performance.now() - start);
      return payload;
    } catch (error) {
      this.tally.encodeFailed(`encoding failed: ${(error as Error).message}`);
      this.deps.logger.warn(`camera ${this.id}: encoding failed: ${(error as Error).message}`);
      return undefined;
    } finally {
      this.source.release(frame);
    }
  }

  private markRunning(): void {
    if (this.tally.state !== 'running') this.tally.setState('running');
    if (!this.outage) return;
    this.outage = false;
    this.alert(AlertKinds.CameraUp, `camera ${this.id} is up again (${redactSource(this.settings.source)})`);
  }

  private onReconnecting(reason: string, delay: number, attempt: number): void {
    this.tally.restarted(reason);
    this.deps.logger.warn(`camera ${this.id}: ${reason}; reconnecting in ${delay} ms (attempt ${attempt})`);
    if (this.tally.state !== 'reconnecting') this.tally.setState('reconnecting');
    if (this.outage || this.endedByStopSignal(reason)) return;
    this.outage = true;
    this.alert(AlertKinds.CameraDown, `camera ${this.id} is down: ${reason}`);
  }

  private fail(reason: string): void {
    const message = `camera ${this.id} (${redactSource(this.settings.source)}) failed: ${reason}`;
    this.tally.error(message);
    this.deps.logger.error(message);
    if (!this.endedByStopSignal(reason)) this.alert(AlertKinds.CameraDown, message);
    this.finish('failed');
  }

  private finish(state: 'ended' | 'failed'): void {
    this.tally.setState(state);
    void this.settled()
      .then(() => this.encoder.close())
      .then(() => this.resolveDone());
  }

  /**
   * True when this process got a stop signal: the terminal's Ctrl-C also ended ffmpeg, which is the
   * process stopping, not the camera going down, so no camera-down alert is raised for it.
   */
  private endedByStopSignal(reason: string): boolean {
    const signal = stopSignalReceived();
    if (!signal) return false;
    this.deps.logger.log(`camera ${this.id}: ${reason} while the process stops (${signal}); no camera-down alert`);
    return true;
  }

  private alert(kind: string, text: string): void {
    const now = Date.now();
    const message = Object.assign(new AlertMessage(), {
      v: SCHEMA_VERSION,
      cameraId: this.id,
      capturedAt: now,
      id: randomUUID(),
      kind,
      at: now,
      message: text,
      details: { state: this.tally.state, source: redactSource(this.settings.source) },
    });
    this.track(
      this.deps.links.emit(Patterns.Alert, message, { whenFull: 'wait' }).then((outcome) => {
        if (outcome === 'delivered') this.tally.alertSent();
      }),
    );
  }

  private track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      (error: unknown) => this.deps.logger.warn(`camera ${this.id}: ${(error as Error).message}`),
    );
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  private async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

function isTerminal(state: CameraState): boolean {
  return state === 'ended' || state === 'failed' || state === 'stopped';
}
