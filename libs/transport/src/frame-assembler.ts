import { FRAME_HEADER_BYTES } from './codec';

export type AssembledChunk = { bodies: Buffer[]; oversized?: number };

/**
 * Reassembles length-prefixed frames (uint32 big-endian length, then the body) from a byte stream in
 * linear time: chunks are kept in a list and copied once, when a frame is complete (a frame within one
 * chunk is not copied at all). A length prefix over `maxFrameBytes` is reported before anything of its
 * body is buffered; the stream is unusable after that.
 */
export class FrameAssembler {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Body length of the frame being received, once its header is complete. */
  private expected: number | undefined;
  /** Bytes copied so far (the reassembly cost; a test asserts it is linear in the input). */
  copiedBytes = 0;
  /** Number of concatenations (copies of several chunks into one buffer). */
  concatenations = 0;

  constructor(readonly maxFrameBytes: number) {}

  /** Bytes received and not yet delivered. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): AssembledChunk {
    const bodies: Buffer[] = [];
    if (chunk.length) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < FRAME_HEADER_BYTES) break;
        const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
        if (length > this.maxFrameBytes) {
          this.reset();
          return { bodies, oversized: length };
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      bodies.push(this.take(this.expected));
      this.expected = undefined;
    }
    return { bodies };
  }

  reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.expected = undefined;
  }

  /** Removes the first `bytes` buffered bytes: a view when one chunk holds them, else one copy. */
  private take(bytes: number): Buffer {
    this.buffered -= bytes;
    const head = this.chunks[0];
    if (head && head.length >= bytes) {
      const out = head.subarray(0, bytes);
      if (head.length === bytes) this.chunks.shift();
      else this.chunks[0] = head.subarray(bytes);
      return out;
    }
    const out = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      const next = this.chunks[0];
      const used = Math.min(next.length, bytes - filled);
      next.copy(out, filled, 0, used);
      filled += used;
      if (used === next.length) this.chunks.shift();
      else this.chunks[0] = next.subarray(used);
    }
    this.copiedBytes += bytes;
    this.concatenations += 1;
    return out;
  }
}
