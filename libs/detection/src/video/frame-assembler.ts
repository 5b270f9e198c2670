/**
 * Fills fixed-size frames straight from a socket's reads, without an intermediate chunk: `target()`
 * is where the next read writes (the rest of the frame being filled, never past its end, so one read
 * never spans two frames), `took(n)` accounts for the bytes that read wrote and returns the frame
 * once it is full. Each frame gets its own buffer: the caller keeps the frames it is given (the fog
 * holds a frame as its canvas and hands it to the annotated view), so none is written again.
 */
export class FrameAssembler {
  private frame: Buffer;
  private filled = 0;

  constructor(
    readonly frameBytes: number,
    private readonly allocate: (bytes: number) => Buffer = (bytes) => Buffer.allocUnsafe(bytes),
  ) {
    if (!(Number.isSafeInteger(frameBytes) && frameBytes > 0)) throw new Error(`frame size must be a positive whole number of bytes (got ${frameBytes})`);
    this.frame = allocate(frameBytes);
  }

  /** Where the next read goes: the unfilled rest of the current frame. */
  target(): Buffer {
    return this.frame.subarray(this.filled);
  }

  /** `n` bytes were read into target(); the frame when it is now complete. */
  took(n: number): Buffer | undefined {
    if (!(Number.isSafeInteger(n) && n >= 0 && n <= this.frameBytes - this.filled)) throw new Error(`read of ${n} bytes does not fit the ${this.frameBytes - this.filled} left in the frame`);
    this.filled += n;
    if (this.filled < this.frameBytes) return undefined;
    const done = this.frame;
    this.frame = this.allocate(this.frameBytes);
    this.filled = 0;
    return done;
  }

  /** Bytes of the frame being filled so far. */
  get pending(): number {
    return this.filled;
  }
}
