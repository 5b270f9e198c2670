import { isKeyframe, nalTypes } from '@sentinel/contracts';

const HEADER_END = Buffer.from('\r\n\r\n');
const LENGTH = /content-length:\s*(\d+)/i;
/** A part header is a few short lines; more than this without its end is not ffmpeg's mpjpeg output. */
const MAX_HEADER_BYTES = 1024;

/**
 * Cuts ffmpeg's `-f mpjpeg` output (each packet as a multipart part: `--ffmpeg`, a Content-type and a
 * Content-length header, a blank line, the packet's bytes) into packets. ffmpeg writes each packet as
 * soon as the encoder gives it, so a packet is whole the moment its last byte arrives: no waiting for
 * the next packet's start code as a raw Annex-B stream would need. The muxer only frames the bytes:
 * with libx264 they are Annex-B access units.
 */
export class MultipartPackets {
  private buffer: Buffer = Buffer.alloc(0);
  private expected = -1;

  /** Bytes from ffmpeg's stdout; returns the packets they complete, in order. */
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const packets: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        const end = this.buffer.indexOf(HEADER_END);
        if (end < 0) {
          if (this.buffer.length > MAX_HEADER_BYTES) throw new Error('not a multipart packet stream (no part header end)');
          break;
        }
        const match = LENGTH.exec(this.buffer.subarray(0, end).toString('latin1'));
        if (!match) throw new Error('multipart part without Content-length');
        this.expected = Number(match[1]);
        this.buffer = this.buffer.subarray(end + HEADER_END.length);
      }
      if (this.buffer.length < this.expected) break;
      packets.push(Buffer.from(this.buffer.subarray(0, this.expected)));
      this.buffer = this.buffer.subarray(this.expected);
      this.expected = -1;
    }
    return packets;
  }
}

// Packet inspection is shared with the fog (@sentinel/contracts).
export { isKeyframe, nalTypes };
