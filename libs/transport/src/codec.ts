import { Packr } from 'msgpackr';

/**
 * MessagePack: binary fields (JPEG bytes) travel as raw `bin` (5 bytes of overhead), never as a JSON
 * array of numbers or base64. Plain maps, no record extension, so any MessagePack peer can read it.
 */
const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });

export function encodePacket(packet: unknown): Buffer {
  return packr.pack(packet);
}

export function decodePacket(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/** Length prefix of a TCP frame (uint32 big-endian). */
export const FRAME_HEADER_BYTES = 4;
