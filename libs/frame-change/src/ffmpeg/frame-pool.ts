/**
 * Reusable frame buffers of one size. A buffer is held from the moment ffmpeg's bytes start
 * filling it until its JPEG encodes are done, then released for a later frame: no per-frame
 * allocation in the steady state. When every buffer is busy a new one is made (the pool only
 * grows up to the pipeline depth, which the camera bounds by pausing the pipe).
 */
export class FramePool {
  private readonly free: Buffer[] = [];
  private created = 0;

  constructor(readonly frameBytes: number) {}

  acquire(): Buffer {
    const buffer = this.free.pop();
    if (buffer) return buffer;
    this.created++;
    return Buffer.allocUnsafeSlow(this.frameBytes);
  }

  release(buffer: Buffer): void {
    if (buffer.length === this.frameBytes) this.free.push(buffer);
  }

  /** Buffers ever allocated (a steady value over a long run shows reuse). */
  get allocated(): number {
    return this.created;
  }
}
