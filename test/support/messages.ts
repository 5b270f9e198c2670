import { FrameMessage, SCHEMA_VERSION } from '@sentinel/contracts';

/** A valid, tiny `frame.changed` message (3 bytes of "JPEG"): for link tests, which never decode it. */
export function tinyFrameMessage(seq: number): FrameMessage {
  return Object.assign(new FrameMessage(), {
    v: SCHEMA_VERSION, cameraId: 'cam', seq, capturedAt: 1, width: 8, height: 8, kind: 'frame', changeScore: 0.5, jpeg: Buffer.from([1, 2, 3]),
  });
}
