import { randomUUID } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import type { Logger } from '@nestjs/common';
import { AlertKinds, AlertMessage, FrameMessage, Patterns, SCHEMA_VERSION } from '@sentinel/contracts';
import type { ReconnectConfig } from '@sentinel/config';
import type { StageTimer } from '@sentinel/telemetry';
import type { EmitOutcome, LinkEmitter } from '@sentinel/transport';
import { ChangeDetector } from '../detector/change-detector';
import { FramePool } from '../ffmpeg/frame-pool';
import { FrameReader, RawFrame, ReaderEnd } from '../ffmpeg/frame-reader';
import { OutputFormat, buildInvocation, isPermanentError } from '../ffmpeg/source';
import { ForwardDecision, HeartbeatClock, planForward } from '../pipeline/forward-plan';
import { EncodedAtlas, JpegEncoder } from '../pipeline/jpeg-encoder';
import { backoffDelay } from './backoff';
import { CameraSettings, redactSource } from './camera-settings';
import { CameraCounts, CameraState, RoofMetrics } from './roof-metrics';

/** Per-camera figures, a plain object (for /health, reports and tests). */
export interface CameraStats {
  id: string;
  source: string;
  kind: string;
  policy: string;
  state: CameraState;
  width: number;
  height: number;
  fps: number;
  framesDecoded: number;
  framesChanged: number;
  /** Frame messages delivered (acknowledged). */
  framesForwarded: number;
  /** Of those, whole frames / region sets / heartbeats. */
  fullFramesForwarded: number;
  regionFramesForwarded: number;
  heartbeatsForwarded: number;
  regionsForwarded: number;
  droppedCorrupt: number;
  droppedByLink: number;
  failedByLink: number;
  /** Live sources: frames not encoded because `maxInFlight` frames were already being processed. */
  droppedBusy: number;
  encodeErrors: number;
  /** JPEG bytes in delivered frame messages. */
  bytesForwarded: number;
  /** roof.measureRawJpeg: frames and JPEG bytes of every decoded frame. */
  rawJpegFrames: number;
  rawJpegBytes: number;
  restarts: number;
  alertsSent: number;
  lastError?: string;
}

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

type Payload = { kind: 'frame'; jpeg: Buffer; heartbeat: boolean } | ({ kind: 'regions' } & EncodedAtlas);

/**
 * One camera: runs its ffmpeg reader, detects change on every frame, encodes and emits what the
 * policy forwards, and keeps the source alive (reconnect with backoff on drops, stalls and
 * crashes; a missing file or bad URL fails the camera). Frames are emitted in stream order; up to
 * `maxInFlight` frames are encoded or awaiting the link at once, then the pipe is paused (files)
 * or new frames skipped (live sources, counted as droppedBusy).
 */
export class CameraRunner {
  /** CameraStats but the counters, which RoofMetrics holds (one source per counter). */
  private readonly stats: Omit<CameraStats, keyof CameraCounts>;
  private readonly encoder: JpegEncoder;
  private readonly heartbeat: HeartbeatClock;
  private readonly pending = new Set<Promise<unknown>>();
  /** Frame buffer pools per frame size, kept across reader restarts so buffers are reused. */
  private readonly pools = new Map<number, FramePool>();
  private reader?: FrameReader;
  private detector?: ChangeDetector;
  private emitOrder: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private seq = 0;
  /** The last message issued (its seq): the frame the fog's copy holds if everything arrives. */
  private lastIssuedSeq = -1;
  private lastWholeFrameSeq = -1;
  /** The latest message that did not update the fog's copy of the frame (encode error, dropped, failed, or the fog asked to resync). */
  private lastLostSeq = -1;
  private attempts = 0;
  private framesThisRun = 0;
  private runStartSeconds = 0;
  private lastActivity = 0;
  private stallKill = false;
  private outage = false;
  private stopping = false;
  private retryTimer?: NodeJS.Timeout;
  private stallTimer?: NodeJS.Timeout;
  private resolveDone!: () => void;
  /** Resolves when the camera reached ended, failed or stopped and all its emits settled. */
  readonly done: Promise<void>;

  constructor(
    readonly settings: CameraSettings,
    private readonly deps: CameraDeps,
  ) {
    this.encoder = new JpegEncoder(settings.jpegQuality);
    this.heartbeat = new HeartbeatClock(settings.heartbeatSeconds);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.stats = {
      id: settings.id,
      source: redactSource(settings.source),
      kind: settings.kind,
      policy: settings.policy,
      state: 'starting',
      width: 0,
      height: 0,
      fps: Number.NaN,
      fullFramesForwarded: 0,
      regionFramesForwarded: 0,
      heartbeatsForwarded: 0,
      regionsForwarded: 0,
      encodeErrors: 0,
      rawJpegFrames: 0,
      alertsSent: 0,
    };
    deps.metrics.setState(settings.id, 'starting');
  }

  get id(): string {
    return this.settings.id;
  }

  get state(): CameraState {
    return this.stats.state;
  }

  /** ffmpeg's process id while a reader runs (tests kill it to simulate a crash). */
  get ffmpegPid(): number | undefined {
    return this.reader?.pid;
  }

  snapshot(): CameraStats {
    return { ...this.stats, ...this.deps.metrics.counts(this.id) };
  }

  async start(): Promise<void> {
    // fluent-ffmpeg 2.1 throws an uncaught TypeError when spawning a missing binary, so check first.
    const ffmpegPath = this.deps.ffmpegPath;
    if (ffmpegPath.includes('/')) {
      try {
        await access(ffmpegPath, constants.X_OK);
      } catch (error) {
        this.fail(`cannot run ffmpeg at ${ffmpegPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (set roof.ffmpegPath or FFMPEG_PATH)`);
        return;
      }
    }
    if (this.settings.kind === 'file') {
      try {
        await access(this.settings.source, constants.R_OK);
      } catch (error) {
        this.fail(`cannot read file ${this.settings.source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return;
      }
    }
    if (this.stopping) return;
    if (this.settings.live) this.startStallWatch();
    this.spawnReader();
  }

  /** Kills ffmpeg and waits (bounded) for frames already being encoded or emitted. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.stallTimer);
    const exited = this.reader?.stop();
    this.reader = undefined;
    await exited;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    if (!isTerminal(this.stats.state)) this.setState('stopped');
    this.resolveDone();
  }

  private spawnReader(): void {
    const { settings } = this;
    const startSeconds = settings.kind === 'file' && !settings.loop ? this.runStartSeconds : 0;
    const invocation = buildInvocation({
      source: settings.source,
      kind: settings.kind,
      fps: settings.fps,
      width: settings.width,
      height: settings.height,
      pace: settings.pace,
      loop: settings.loop,
      startSeconds,
      skipCorrupt: this.deps.skipCorrupt,
      extraInputOptions: settings.inputOptions,
    });
    this.framesThisRun = 0;
    this.lastActivity = Date.now();
    this.stallKill = false;
    const reader = new FrameReader(invocation, this.deps.ffmpegPath, {
      format: (format) => this.onFormat(format),
      frame: (frame) => this.onFrame(reader, frame),
      corrupt: () => this.countCorrupt(1),
      end: (end) => this.onReaderEnd(reader, end),
    }, this.poolFor);
    this.reader = reader;
    reader.start();
  }

  private onFormat(format: OutputFormat): void {
    const fps = this.settings.fps ?? format.fps;
    this.stats.fps = fps;
    if (this.detector && this.detector.width === format.width && this.detector.height === format.height) return;
    this.stats.width = format.width;
    this.stats.height = format.height;
    this.detector = new ChangeDetector(format.width, format.height, this.settings.detection);
  }

  private onFrame(reader: FrameReader, frame: RawFrame): void {
    const pool = this.poolOf(frame);
    if (this.stopping || reader !== this.reader || !this.detector) {
      pool?.release(frame.data);
      return;
    }
    this.framesThisRun++;
    this.lastActivity = Date.now();
    this.attempts = 0;
    if (this.stats.state !== 'running') this.setState('running');
    if (this.outage) {
      this.outage = false;
      this.alert(AlertKinds.CameraUp, `camera ${this.id} is up again (${redactSource(this.settings.source)})`);
    }

    const seq = this.seq++;
    const id = this.id;
    const { metrics, timer } = this.deps;
    metrics.decoded.inc({ camera: id });
    timer.record('decode', frame.transferMs);

    const detectStart = performance.now();
    const result = this.detector.detect(frame.data);
    timer.record('change-detection', performance.now() - detectStart);
    if (result.changed) {
      metrics.changed.inc({ camera: id });
    }

    const hasTimeline = Number.isFinite(this.stats.fps) && this.stats.fps > 0;
    const streamSeconds = hasTimeline ? seq / this.stats.fps : frame.receivedAt / 1000;
    // Regions update the fog's copy of the frame: after a lost message (the last whole frame included)
    // that copy is stale, so the next frame goes whole. Whole frames need no such chain.
    const resync = this.settings.policy === 'regions' && this.lastLostSeq >= 0 && this.lastLostSeq >= this.lastWholeFrameSeq;
    const decision = planForward(result, this.settings.policy, this.heartbeat.due(streamSeconds) || resync, frame.width, frame.height, this.settings.detection);
    // A live source skips what it cannot encode now rather than fall behind the camera.
    const busy = decision.send !== 'none' && this.settings.live && this.inFlight >= this.deps.maxInFlight;
    this.detector.forwarded(busy || decision.send === 'none' ? [] : decision.send === 'frame' ? 'frame' : decision.regions);
    if (busy) {
      metrics.busyDropped.inc({ camera: id });
      this.release(frame);
      return;
    }
    if (decision.send === 'frame') {
      this.heartbeat.fullFrameSent(streamSeconds);
      this.lastWholeFrameSeq = seq;
    }
    const baseSeq = this.lastIssuedSeq;
    if (decision.send !== 'none') this.lastIssuedSeq = seq;
    const measureRaw = this.deps.measureRawJpeg;
    if (decision.send === 'none' && !measureRaw) {
      this.release(frame);
      return;
    }

    this.inFlight++;
    if (!this.settings.live && this.inFlight >= this.deps.maxInFlight) reader.pause();
    const encoded = this.encode(frame, decision, measureRaw);
    const message = (payload: Payload): FrameMessage =>
      Object.assign(new FrameMessage(), {
        v: SCHEMA_VERSION,
        cameraId: id,
        capturedAt: frame.receivedAt,
        seq,
        width: frame.width,
        height: frame.height,
        changeScore: Math.min(1, Math.max(0, result.score)),
        ...(hasTimeline && !this.settings.live ? { streamTimeMs: Math.round(streamSeconds * 1000) } : {}),
        ...(payload.kind === 'regions' && baseSeq >= 0 ? { baseSeq } : {}),
        ...payload,
      });
    // Emits are issued in stream order; their acknowledgements overlap (up to maxInFlight per
    // camera, within the link's window): waiting for each acknowledgement before the next emit
    // would tie the roof's rate to the link's round trip.
    const issued = this.emitOrder.then(async () => {
      const payload = await encoded;
      if (!payload) {
        if (decision.send !== 'none') this.lost(seq);
        return undefined;
      }
      const onReply = (reply: unknown) => {
        if ((reply as { resync?: unknown } | undefined)?.resync === true) this.lost(seq);
      };
      return { payload, outcome: this.deps.links.emit(Patterns.FrameChanged, message(payload), { whenFull: this.settings.whenFull, onReply }) };
    });
    this.emitOrder = issued.then(
      () => undefined,
      () => undefined,
    );
    this.track(
      issued
        .then(async (sent) => {
          if (sent) this.count(seq, await sent.outcome, sent.payload);
        })
        .finally(() => {
          this.inFlight--;
          if (this.inFlight < this.deps.maxInFlight && this.reader === reader && reader.paused && !this.stopping) reader.resume();
        }),
    );
  }

  private async encode(frame: RawFrame, decision: ForwardDecision, measureRaw: boolean): Promise<Payload | undefined> {
    const { width, height, data } = frame;
    const start = performance.now();
    try {
      let payload: Payload | undefined;
      let rawFrameJpeg: Buffer | undefined;
      const atlas = decision.send === 'regions' ? await this.encoder.encodeRegions(data, width, decision.regions) : undefined;
      const whole = decision.send === 'frame' || (decision.send === 'regions' && !atlas);
      if (whole || measureRaw) rawFrameJpeg = await this.encoder.encodeFrame(data, width, height);
      if (atlas) payload = { kind: 'regions', ...atlas };
      else if (whole) payload = { kind: 'frame', jpeg: rawFrameJpeg!, heartbeat: decision.send === 'frame' && decision.heartbeat };
      this.deps.timer.record('encode', performance.now() - start);
      if (measureRaw && rawFrameJpeg) {
        this.stats.rawJpegFrames++;
        this.deps.metrics.rawJpegBytes.inc({ camera: this.id }, rawFrameJpeg.length);
      }
      return payload;
    } catch (error) {
      this.stats.encodeErrors++;
      this.stats.lastError = `JPEG encoding failed: ${(error as Error).message}`;
      this.deps.logger.warn(`camera ${this.id}: ${this.stats.lastError}`);
      return undefined;
    } finally {
      this.release(frame);
    }
  }

  private lost(seq: number): void {
    this.lastLostSeq = Math.max(this.lastLostSeq, seq);
  }

  private count(seq: number, outcome: EmitOutcome, payload: Payload): void {
    const camera = { camera: this.id };
    if (outcome !== 'delivered') this.lost(seq);
    if (outcome === 'dropped') {
      this.deps.metrics.linkDropped.inc(camera);
      return;
    }
    if (outcome === 'failed') {
      this.deps.metrics.linkFailed.inc(camera);
      return;
    }
    const bytes = payload.jpeg.length;
    if (payload.kind === 'frame') {
      this.stats.fullFramesForwarded++;
      if (payload.heartbeat) this.stats.heartbeatsForwarded++;
    } else {
      this.stats.regionFramesForwarded++;
      this.stats.regionsForwarded += payload.regions.length;
    }
    this.deps.metrics.forwarded.inc(camera);
    this.deps.metrics.bytesForwarded.inc(camera, bytes);
  }

  private onReaderEnd(reader: FrameReader, end: ReaderEnd): void {
    if (reader !== this.reader) return;
    this.reader = undefined;
    if (end.partialBytes > 0) this.countCorrupt(1);
    if (this.stopping) return;
    const { settings } = this;
    if (end.stopped && this.stallKill) {
      const { stallTimeoutMs, connectTimeoutMs } = this.deps.reconnect;
      this.retry(this.framesThisRun === 0 ? `no first frame within ${connectTimeoutMs} ms of starting ffmpeg` : `no frame for ${stallTimeoutMs} ms`);
      return;
    }
    if (!end.error) {
      if (settings.live) this.retry('the stream ended');
      else this.finish('ended');
      return;
    }
    const reason = describeFfmpegError(end.error, end.stderrTail);
    if (this.framesThisRun === 0 && this.deps.metrics.decoded.value({ camera: this.id }) === 0 && isPermanentError(`${reason}\n${end.stderrTail.join('\n')}`)) {
      this.fail(reason);
      return;
    }
    if (settings.kind === 'file' && !settings.loop && Number.isFinite(this.stats.fps) && this.stats.fps > 0) {
      this.runStartSeconds += this.framesThisRun / this.stats.fps;
    }
    this.retry(reason);
  }

  private retry(reason: string): void {
    this.attempts++;
    const { reconnect } = this.deps;
    if (reconnect.maxAttempts > 0 && this.attempts > reconnect.maxAttempts) {
      this.fail(`${reason}; gave up after ${reconnect.maxAttempts} attempts`);
      return;
    }
    const delay = backoffDelay(this.attempts, reconnect);
    this.stats.lastError = reason;
    this.deps.metrics.restarts.inc({ camera: this.id });
    this.deps.logger.warn(`camera ${this.id}: ${reason}; reconnecting in ${delay} ms (attempt ${this.attempts})`);
    if (this.stats.state !== 'reconnecting') this.setState('reconnecting');
    if (!this.outage) {
      this.outage = true;
      this.alert(AlertKinds.CameraDown, `camera ${this.id} is down: ${reason}`);
    }
    this.retryTimer = setTimeout(() => {
      if (!this.stopping) this.spawnReader();
    }, delay);
  }

  private fail(reason: string): void {
    const message = `camera ${this.id} (${redactSource(this.settings.source)}) failed: ${reason}`;
    this.stats.lastError = message;
    this.deps.logger.error(message);
    clearInterval(this.stallTimer);
    this.alert(AlertKinds.CameraDown, message);
    this.finish('failed');
  }

  private finish(state: 'ended' | 'failed'): void {
    clearInterval(this.stallTimer);
    this.setState(state);
    void this.settled().then(() => this.resolveDone());
  }

  private startStallWatch(): void {
    const { stallTimeoutMs, connectTimeoutMs } = this.deps.reconnect;
    this.stallTimer = setInterval(
      () => {
        // Until its first frame a run is connecting, not stalled: it gets connectTimeoutMs.
        const limit = this.framesThisRun === 0 ? connectTimeoutMs : stallTimeoutMs;
        if (!this.reader || this.stopping || Date.now() - this.lastActivity < limit) return;
        this.stallKill = true;
        void this.reader.stop();
      },
      Math.max(50, Math.min(1_000, Math.min(stallTimeoutMs, connectTimeoutMs) / 4)),
    );
    this.stallTimer.unref();
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
      details: { state: this.stats.state, source: redactSource(this.settings.source) },
    });
    this.track(
      this.deps.links.emit(Patterns.Alert, message, { whenFull: 'wait' }).then((outcome) => {
        if (outcome === 'delivered') this.stats.alertsSent++;
      }),
    );
  }

  private setState(state: CameraState): void {
    this.stats.state = state;
    this.deps.metrics.setState(this.id, state);
  }

  private countCorrupt(n: number): void {
    this.deps.metrics.corrupt.inc({ camera: this.id }, n);
  }

  private release(frame: RawFrame): void {
    this.poolOf(frame)?.release(frame.data);
  }

  private poolOf(frame: RawFrame): FramePool | undefined {
    return this.pools.get(frame.data.length);
  }

  readonly poolFor = (bytes: number): FramePool => {
    let pool = this.pools.get(bytes);
    if (!pool) this.pools.set(bytes, (pool = new FramePool(bytes)));
    return pool;
  };

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

/** fluent-ffmpeg's message plus the most telling stderr line. */
function describeFfmpegError(error: Error, stderrTail: string[]): string {
  const message = error.message.replace(/\s+/g, ' ').trim();
  const telling = [...stderrTail].reverse().find((line) => /error|invalid|no such|not found|refused|denied|failed|unable|timed out/i.test(line));
  return telling && !message.includes(telling.trim()) ? `${message} (${telling.trim()})` : message;
}
