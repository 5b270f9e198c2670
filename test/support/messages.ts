import { FrameMessage, SCHEMA_VERSION } from '@sentinel/contracts';
import { FRAME_HEADER_BYTES, encodePacket } from '@sentinel/transport';

/** A valid, tiny `frame.changed` message (3 bytes of "JPEG"): for link tests, which never decode it. */
export function tinyFrameMessage(seq: number): FrameMessage {
  return Object.assign(new FrameMessage(), {
    v: SCHEMA_VERSION, cameraId: 'cam', seq, capturedAt: 1, width: 8, height: 8, kind: 'frame', changeScore: 0.5, jpeg: Buffer.from([1, 2, 3]),
  });
}

/** One packet framed as the TCP link carries it (uint32 length prefix + MessagePack): for raw-socket tests. */
export function tcpFrame(packet: unknown): Buffer {
  const body = encodePacket(packet);
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}
