/** Boundary between the parts of a `multipart/x-mixed-replace` MJPEG response. */
export const MJPEG_BOUNDARY = 'sentinel-frame';

export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${MJPEG_BOUNDARY}`;

/** One part of the multipart response: headers, the JPEG, and the line end before the next boundary. */
export function mjpegPart(jpeg: Buffer): Buffer {
  const head = `--${MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), jpeg, Buffer.from('\r\n', 'latin1')]);
}

/** What a stream writes to: an HTTP response (or any writable stream). */
export interface MjpegSink {
  write(chunk: Buffer): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): unknown;
}

export interface MjpegStreamOptions<F extends object> {
  /** The latest frame of the camera, or undefined while none was processed. */
  latest: () => F | undefined;
  /** Encodes a frame as the JPEG to send (the annotated view). */
  render: (frame: F) => Promise<Buffer>;
  sink: MjpegSink;
  /** Time between two looks at the latest frame: bounds the stream's frame rate. */
  intervalMs: number;
  /** A frame that failed to render is skipped; the stream goes on. */
  onRenderError?: (error: unknown) => void;
}

/**
 * Pushes a camera's annotated view as MJPEG: every `intervalMs` it looks at the latest frame and
 * sends a part only when a new frame was processed since the last part. A slow client never
 * queues frames: while the sink is full (`write` returned false) or a part is being rendered,
 * looks are skipped, so the client gets the newest frame once it catches up.
 */
export class MjpegStream<F extends object> {
  private timer?: NodeJS.Timeout;
  private lastSent?: F;
  private busy = false;
  private stopped = false;
  private sentParts = 0;

  constructor(private readonly options: MjpegStreamOptions<F>) {}

  get parts(): number {
    return this.sentParts;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    void this.look();
    this.timer = setInterval(() => void this.look(), this.options.intervalMs);
  }

  /** Stops looking (client gone); the sink is left to its owner. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops and ends the response (server shutting down). */
  end(): void {
    this.stop();
    this.options.sink.end();
  }

  private async look(): Promise<void> {
    if (this.busy || this.stopped) return;
    const frame = this.options.latest();
    if (!frame || frame === this.lastSent) return;
    this.busy = true;
    let waitForDrain = false;
    try {
      const jpeg = await this.options.render(frame);
      if (this.stopped) return;
      this.lastSent = frame;
      this.sentParts++;
      waitForDrain = !this.options.sink.write(mjpegPart(jpeg));
    } catch (error) {
      this.lastSent = frame;
      this.options.onRenderError?.(error);
    } finally {
      if (waitForDrain) this.options.sink.once('drain', () => (this.busy = false));
      else this.busy = false;
    }
  }
}

/** Counts open streams against a fixed maximum. */
export class StreamSlots {
  private used = 0;

  constructor(readonly max: number) {}

  get active(): number {
    return this.used;
  }

  tryAcquire(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }

  release(): void {
    this.used = Math.max(0, this.used - 1);
  }
}
